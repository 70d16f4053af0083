import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { OidcPayloadRepository, StoredPayload } from '@gateway/auth-data';
import { SealedBox } from '@gateway/util';
import { hashToken, parseToken } from '../token-format/token-format';

/** Models whose ids are bearer secrets: stored under their SHA-256, never in the clear. */
const SECRET_MODELS = new Set([
  'AccessToken',
  'RefreshToken',
  'AuthorizationCode',
  'DeviceCode',
  'ClientCredentials',
  'RegistrationAccessToken',
  'BackchannelAuthenticationRequest',
  // The browser session: its id is the `_session` cookie's value.
  'Session',
]);
/** Models whose values have MAS's checksummed format: garbage is refused before any database lookup. */
const FORMATTED_MODELS = new Set(['AccessToken', 'RefreshToken']);

const SHA256_HEX = /^[0-9a-f]{64}$/;
/**
 * Marks an id that is already a row key, for the device code found by its user code (whose value is
 * known only as its hash). Random per process, and with a NUL that `plausibleId` refuses in any id from
 * a request: a key read from a database dump can never be presented as a device code.
 */
const STORED_KEY = `\u0000${randomBytes(12).toString('hex')}:`;
/** How an interaction stores its device code's reference: the key, never the value. */
const STORED_REF = 'key:';
/**
 * How a registered client's `client_secret` is stored: sealed under a key derived from
 * AUTH_SYNAPSE_SECRET, bound to the client id. oidc-provider needs the secret itself back (it compares
 * it, and `client_secret_jwt` and HS256 use it as a key), so it cannot be a hash. oidc-provider's
 * secrets are base64url, so no clear secret starts with this prefix.
 */
const SEALED_SECRET = 'sealed:';

/**
 * The key clients' secrets are sealed under. From AUTH_SYNAPSE_SECRET, which every deployment already
 * has, lives in configuration only and is shared by the replicas: no second secret to manage.
 */
export function clientSecretBox(synapseSecret: string): SealedBox {
  return SealedBox.derive(synapseSecret, 'oauth2 client secret v1');
}
const logger = new Logger('oidc');

/**
 * oidc-provider's storage adapter over Postgres. One instance per model name, as oidc-provider asks.
 */
export class OidcAdapter {
  constructor(
    private readonly model: string,
    private readonly repo: OidcPayloadRepository,
    private readonly clientSecrets: SealedBox,
  ) {}

  private key(id: string): string {
    return this.keyOf(this.model, id);
  }

  private keyOf(model: string, id: string): string {
    if (id.startsWith(STORED_KEY)) return id.slice(STORED_KEY.length);
    return SECRET_MODELS.has(model) ? hashToken(id) : id;
  }

  async upsert(id: string, payload: StoredPayload, expiresIn: number | undefined): Promise<void> {
    await this.repo.upsert(this.model, this.key(id), this.atRest(id, payload), expiresIn);
  }

  async find(id: string): Promise<StoredPayload | undefined> {
    const internal = id.startsWith(STORED_KEY);
    if (!internal && !plausibleId(id)) return undefined;
    if (!internal && FORMATTED_MODELS.has(this.model) && parseToken(id)?.valid !== true) return undefined;
    const stored = await this.repo.find(this.model, this.key(id));
    if (stored === undefined) return undefined;
    if (this.model === 'Client') return openClientSecret(this.clientSecrets, id, stored);
    // The value was stripped before storing: the one presenting it is the one who knows it.
    if (SECRET_MODELS.has(this.model)) return { ...stored, jti: id };
    const deviceCode = stored['deviceCode'];
    if (this.model === 'Interaction' && typeof deviceCode === 'string' && deviceCode.startsWith(STORED_REF))
      return { ...stored, deviceCode: STORED_KEY + deviceCode.slice(STORED_REF.length) };
    return stored;
  }

  async findByUserCode(userCode: string): Promise<StoredPayload | undefined> {
    if (!plausibleId(userCode)) return undefined;
    const found = await this.repo.findKeyByUserCode(this.model, hashToken(userCode));
    // oidc-provider compares the presented code with the payload's. The device code's value is not
    // known here (only its hash) and is never shown on the /link pages, but saving the approval needs
    // an id that leads back to the row: the stored key, marked so no request can forge it.
    return found && { ...found.payload, userCode, jti: `${STORED_KEY}${found.key}` };
  }

  findByUid(uid: string): Promise<StoredPayload | undefined> {
    if (!plausibleId(uid)) return Promise.resolve(undefined);
    return this.repo.findByUid(this.model, uid);
  }

  async consume(id: string): Promise<void> {
    await this.repo.consume(this.model, this.key(id));
  }

  async destroy(id: string): Promise<void> {
    await this.repo.destroy(this.model, this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.repo.revokeByGrantId(grantId);
  }

  /**
   * What is written: oidc-provider keeps a model's id inside its payload (`jti`), which for secret models
   * is the token value itself; a device code's `userCode` is a bearer secret for the /link page until
   * approved; an interaction records its browser session's cookie value, which nothing reads back.
   */
  private atRest(id: string, payload: StoredPayload): StoredPayload {
    if (this.model === 'Client') return sealClientSecret(this.clientSecrets, id, payload);
    const out: StoredPayload = { ...payload };
    if (SECRET_MODELS.has(this.model)) delete out['jti'];
    // A payload read back by device code and saved again carries the hash already.
    if (typeof out.userCode === 'string' && !SHA256_HEX.test(out.userCode))
      out.userCode = hashToken(out.userCode);
    if (this.model === 'Interaction') {
      const session = out['session'];
      if (typeof session === 'object' && session !== null) {
        const { cookie: _cookie, ...rest } = session as Record<string, unknown>;
        out['session'] = rest;
      }
      // A device-flow interaction names its device code; by key, as the code's own row does.
      const deviceCode = out['deviceCode'];
      if (typeof deviceCode === 'string')
        out['deviceCode'] = STORED_REF + this.keyOf('DeviceCode', deviceCode);
    }
    return out;
  }
}

/**
 * Ids arrive from requests (client_id, codes, cookies). Postgres refuses NUL bytes in text and a huge
 * value is never a real id: both are "not found", not a database error.
 */
function plausibleId(id: string): boolean {
  return id.length > 0 && id.length <= 1024 && !id.includes('\u0000');
}

/** A client's payload as stored: its secret sealed (a payload already sealed is left as it is). */
export function sealClientSecret(box: SealedBox, clientId: string, payload: StoredPayload): StoredPayload {
  const secret = payload['client_secret'];
  if (typeof secret !== 'string' || secret.startsWith(SEALED_SECRET)) return payload;
  return { ...payload, client_secret: SEALED_SECRET + box.seal(secret, clientId) };
}

/**
 * A stored client's payload with its secret opened. A secret sealed under another AUTH_SYNAPSE_SECRET
 * does not open: the client is then unknown (`invalid_client`) until it registers again, and the log
 * says why. A secret stored in the clear before sealing existed is returned as it is, until
 * `sealStoredClientSecrets` rewrites it at start-up.
 */
function openClientSecret(
  box: SealedBox,
  clientId: string,
  stored: StoredPayload,
): StoredPayload | undefined {
  const secret = stored['client_secret'];
  if (typeof secret !== 'string' || !secret.startsWith(SEALED_SECRET)) return stored;
  const opened = box.open(secret.slice(SEALED_SECRET.length), clientId);
  if (opened === null) {
    logger.warn({
      msg: "a registered client's secret does not open with this AUTH_SYNAPSE_SECRET: the client must register again",
      clientId,
    });
    return undefined;
  }
  return { ...stored, client_secret: opened.toString('utf8') };
}

/**
 * Seals the secrets of clients registered before they were sealed (upgrades), so that none stays in the
 * clear at rest. Reads only the rows still in the clear; idempotent; returns how many it rewrote.
 */
export async function sealStoredClientSecrets(repo: OidcPayloadRepository, box: SealedBox): Promise<number> {
  let rewritten = 0;
  for (;;) {
    const batch = await repo.withUnprefixedField('Client', 'client_secret', SEALED_SECRET, 500);
    for (const { id, payload } of batch) {
      await repo.replacePayload('Client', id, sealClientSecret(box, id, payload));
      rewritten++;
    }
    // Each rewritten row leaves the query; a short batch was the last.
    if (batch.length < 500) return rewritten;
  }
}
