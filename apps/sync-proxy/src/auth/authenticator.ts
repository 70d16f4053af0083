import { MatrixError, type Errcode } from '@gateway/matrix';
import { LruCache, SingleFlight, systemClock, type Clock } from '@gateway/util';
import { hashToken, type TokenCipher } from './token-cipher';
import type { Identity, TokenStore } from './token-store';
import type { WhoamiClient, WhoamiResult } from './whoami-client';

export interface AuthenticatorDeps {
  store: TokenStore;
  whoami: Pick<WhoamiClient, 'whoami'>;
  cipher: TokenCipher;
  clock?: Clock;
  /** Bound of each in-process cache (accepted tokens, refused tokens). Default 100 000. */
  cacheSize?: number;
  /** Past this age a verification is still trusted, but checked again in the background. Default 5 min. */
  revalidateAfterMs?: number;
  /** Past this age a verification is no longer trusted: the request waits for a new one. Default 1 h. */
  maxAgeMs?: number;
}

interface Verified {
  identity: Identity;
  verifiedAt: number;
}

/** Why a token is turned away, kept so a dead token costs neither a store read nor a whoami. */
interface Refusal {
  errcode: Errcode;
  message: string;
  status: number;
  fields: Record<string, unknown>;
}

const INVALID_TOKEN = 'Invalid access token passed.';
const DEAD: Refusal = {
  errcode: 'M_UNKNOWN_TOKEN',
  message: INVALID_TOKEN,
  status: 401,
  fields: { soft_logout: false },
};
// Visible ASCII, as homeservers issue; anything else is refused before it is hashed, stored or sent.
const TOKEN_SHAPE = /^[\x21-\x7e]{1,4096}$/;
const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Turns an access token into the user and device it belongs to. Lookups go in-process cache → token
 * store → the homeserver's whoami; concurrent requests for one token share each step, so a client
 * opening many connections at once costs a single whoami.
 */
const TRANSIENT_REFUSAL_MS = 30_000;

export class Authenticator {
  private readonly store: TokenStore;
  private readonly whoami: Pick<WhoamiClient, 'whoami'>;
  private readonly cipher: TokenCipher;
  private readonly clock: Clock;
  private readonly revalidateAfterMs: number;
  private readonly maxAgeMs: number;
  // Keyed by the token's hash in hex. Refusals have their own cache so a flood of made-up tokens
  // cannot push the real users' identities out.
  private readonly verified: LruCache<string, Verified>;
  private readonly refused: LruCache<string, Refusal>;
  private readonly lookups = new SingleFlight<string, Identity>();
  private readonly verifications = new SingleFlight<string, Identity>();

  constructor(deps: AuthenticatorDeps) {
    this.store = deps.store;
    this.whoami = deps.whoami;
    this.cipher = deps.cipher;
    this.clock = deps.clock ?? systemClock;
    this.revalidateAfterMs = deps.revalidateAfterMs ?? 5 * 60_000;
    this.maxAgeMs = deps.maxAgeMs ?? 60 * 60_000;
    if (!(this.revalidateAfterMs <= this.maxAgeMs)) {
      throw new RangeError('revalidateAfterMs must not exceed maxAgeMs');
    }
    const size = deps.cacheSize ?? 100_000;
    // Past maxAge an entry would be verified again anyway, so it need not be held longer.
    this.verified = new LruCache(size, { defaultTtlMs: this.maxAgeMs, clock: this.clock });
    this.refused = new LruCache(size, { defaultTtlMs: this.maxAgeMs, clock: this.clock });
  }

  /** The token from `Authorization: Bearer …`, else from the `access_token` query parameter. */
  tokenFrom(
    headers: Record<string, string | string[] | undefined>,
    query: Record<string, unknown>,
  ): string | undefined {
    const header = authorizationHeader(headers);
    const bearer = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (bearer !== undefined) return bearer;
    const param = query['access_token'];
    // A repeated parameter arrives as an array: which one was meant is anyone's guess, so neither.
    return typeof param === 'string' && param !== '' ? param : undefined;
  }

  /** The identity behind `token`; throws a MatrixError (401, 403 or 502) when there is none. */
  async authenticate(token: string | undefined): Promise<Identity> {
    if (token === undefined || token === '') {
      throw new MatrixError('M_MISSING_TOKEN', 'Missing access token');
    }
    if (!TOKEN_SHAPE.test(token)) throw toError(DEAD);
    const tokenHash = hashToken(token);
    const key = tokenHash.toString('hex');
    const refusal = this.refused.get(key);
    if (refusal !== undefined) throw toError(refusal);
    const known = this.verified.get(key);
    if (known !== undefined) return this.serve(known, key);
    return this.lookups.run(key, () => this.load(token, tokenHash, key));
  }

  /** Drops what this process remembers about a token, so its next use reads the store again. */
  forget(tokenHash: Buffer): void {
    const key = tokenHash.toString('hex');
    this.verified.delete(key);
    this.refused.delete(key);
  }

  private async load(token: string, tokenHash: Buffer, key: string): Promise<Identity> {
    const row = await this.store.find(tokenHash);
    if (row === null) return this.verify(token, tokenHash, key);
    if (row.invalid) {
      // Tokens the homeserver has rejected never come back, so there is nothing to ask it.
      this.refused.set(key, DEAD);
      throw toError(DEAD);
    }
    const entry: Verified = {
      identity: { userId: row.userId, deviceId: row.deviceId, token, tokenHash },
      verifiedAt: row.verifiedAt.getTime(),
    };
    this.verified.set(key, entry);
    return this.serve(entry, key);
  }

  private async serve(entry: Verified, key: string): Promise<Identity> {
    const age = this.clock() - entry.verifiedAt;
    const { token, tokenHash } = entry.identity;
    if (age >= this.maxAgeMs) return this.verify(token, tokenHash, key);
    if (age >= this.revalidateAfterMs) {
      // The answer is the cached one either way; verify() records whatever the homeserver says, and a
      // failure to reach it just leaves the entry to be tried again on the next request.
      void this.verify(token, tokenHash, key).catch(() => undefined);
    }
    return entry.identity;
  }

  /** Asks the homeserver, once per token however many requests are waiting. */
  private verify(token: string, tokenHash: Buffer, key: string): Promise<Identity> {
    return this.verifications.run(key, async () => this.settle(await this.ask(token), token, tokenHash, key));
  }

  private async ask(token: string): Promise<WhoamiResult> {
    try {
      return await this.whoami.whoami(token);
    } catch {
      return { ok: false, kind: 'unreachable', reason: 'whoami threw' };
    }
  }

  private async settle(
    result: WhoamiResult,
    token: string,
    tokenHash: Buffer,
    key: string,
  ): Promise<Identity> {
    if (result.ok) {
      const { userId, deviceId } = result;
      await this.store.save(tokenHash, this.cipher.encrypt(token, tokenHash), userId, deviceId);
      const identity: Identity = { userId, deviceId, token, tokenHash };
      this.verified.set(key, { identity, verifiedAt: this.clock() });
      this.refused.delete(key);
      return identity;
    }
    switch (result.kind) {
      case 'unreachable':
        throw new MatrixError('M_UNKNOWN', 'The homeserver could not be reached', { status: 502 });
      case 'no-device':
        // Valid upstream, but with no device there is nothing for a poller to sync as.
        return this.refuse(key, tokenHash, { ...DEAD, message: 'Access token has no device' }, false);
      case 'unknown-token':
      case 'forbidden': {
        const errcode = deadTokenCode(result);
        if (errcode !== undefined) {
          const refusal: Refusal = { ...DEAD, errcode, fields: { soft_logout: result.softLogout } };
          return this.refuse(key, tokenHash, refusal, !result.softLogout);
        }
        // Some other 403 (M_FORBIDDEN, …): passed on, but not taken as proof the token is dead.
        const message = result.error === '' ? 'The homeserver refused this access token' : result.error;
        const refusal: Refusal = { errcode: result.errcode, message, status: 403, fields: {} };
        return this.refuse(key, tokenHash, refusal, false);
      }
    }
  }

  /**
   * Forgets the identity, remembers the refusal, and throws it. `persist` marks the row invalid; a
   * soft logout is not persisted, because a row can only say "invalid" and answering a later request
   * with soft_logout false would make the client wipe a device it was meant to log back into.
   */
  private async refuse(key: string, tokenHash: Buffer, refusal: Refusal, persist: boolean): Promise<never> {
    this.verified.delete(key);
    // A dead token stays refused; any other refusal (a soft logout, a consent or other 403) may change
    // on the homeserver's side, so it is only remembered long enough to absorb a burst of retries.
    this.refused.set(key, refusal, persist ? undefined : TRANSIENT_REFUSAL_MS);
    if (persist) {
      // The refusal stands whether or not it could be recorded; a store outage must not turn a dead
      // token's 401 into a 500. The next process to see the token will simply ask the homeserver.
      await this.store.markInvalid(tokenHash).catch(() => undefined);
    }
    throw toError(refusal);
  }
}

/**
 * The errcode a refused token is answered with, or undefined when the refusal is not about the token.
 * A 401 always is; a 403 only when its errcode says so (M_USER_DEACTIVATED arrives as M_UNKNOWN_TOKEN).
 */
function deadTokenCode(
  result: Extract<WhoamiResult, { kind: 'unknown-token' | 'forbidden' }>,
): 'M_UNKNOWN_TOKEN' | 'M_MISSING_TOKEN' | undefined {
  if (result.errcode === 'M_MISSING_TOKEN') return 'M_MISSING_TOKEN';
  if (result.kind === 'unknown-token' || result.errcode === 'M_UNKNOWN_TOKEN') return 'M_UNKNOWN_TOKEN';
  return undefined;
}

function toError(refusal: Refusal): MatrixError {
  // A copy of the fields: the error leaves this class, the refusal stays cached.
  return new MatrixError(refusal.errcode, refusal.message, {
    status: refusal.status,
    fields: { ...refusal.fields },
  });
}

/** Header names are matched without regard to case; a repeated header is ambiguous and ignored. */
function authorizationHeader(headers: Record<string, string | string[] | undefined>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'authorization') continue;
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && value.length === 1) return value[0];
    return undefined;
  }
  return undefined;
}
