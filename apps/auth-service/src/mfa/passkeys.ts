import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { z } from 'zod';
import type { PasskeyRepository, UserPasskey } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import type { PasskeyChallenges } from './passkey-challenges';

/** The relying party: the service's public origin, and its host name as the RP ID. */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

/** The relying party of a service whose public URL (the issuer) is `issuer`. */
export function relyingPartyOf(issuer: string, name: string): RelyingParty {
  const url = new URL(issuer);
  return { id: url.hostname, origin: url.origin, name };
}

/** What the ceremonies read and write of the stored passkeys (`PasskeyRepository`). */
export type PasskeyStore = Pick<
  PasskeyRepository,
  'list' | 'findByCredentialId' | 'add' | 'used' | 'rename' | 'remove'
>;

/** What a page needs for a ceremony: the options (JSON for the browser script). */
export type CeremonyOptions = string;

/**
 * What a challenge was issued for. A registration started inside a sign-in (AUTH_MFA_REQUIRED's setup
 * step) names its interaction, so its answer is good for that sign-in alone and never for the account
 * page, nor the account page's for it.
 */
export type PasskeyPurpose =
  | { kind: 'register'; userId: string; interaction?: string }
  | { kind: 'second-factor'; userId: string }
  | { kind: 'sign-in' };

const b64url = z
  .string()
  .regex(/^[A-Za-z0-9_-]*$/)
  .max(16_384);
const baseResponse = {
  id: b64url.min(1).max(1_400),
  rawId: b64url,
  type: z.literal('public-key'),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
};
const registrationResponse = z.object({
  ...baseResponse,
  response: z.object({
    clientDataJSON: b64url,
    attestationObject: b64url,
    transports: z.array(z.string().max(32)).max(8).optional(),
  }),
});
const authenticationResponse = z.object({
  ...baseResponse,
  response: z.object({
    clientDataJSON: b64url,
    authenticatorData: b64url,
    signature: b64url,
    userHandle: b64url.optional(),
  }),
});

/** The name a passkey gets when none is typed. */
export const DEFAULT_PASSKEY_NAME = 'Passkey';

/**
 * The WebAuthn ceremonies over @simplewebauthn/server: options for a page (the challenge kept with what
 * it is for), and checking what the browser sent back — the challenge taken once, the origin and RP ID
 * ours, user verification done (so a passkey alone is two factors: the device and its PIN or
 * biometric). Bad or foreign input gives null, never an exception.
 */
export class Passkeys {
  constructor(
    private readonly repository: PasskeyStore,
    private readonly challenges: PasskeyChallenges,
    private readonly rp: RelyingParty,
    private readonly clock: Clock,
  ) {}

  list(userId: string): Promise<UserPasskey[]> {
    return this.repository.list(userId);
  }

  /**
   * Creation options: a discoverable, user-verifying credential, not one the user already has;
   * `interaction` binds the challenge to that sign-in.
   */
  async registrationOptions(
    user: { id: string },
    account: string,
    interaction?: string,
  ): Promise<CeremonyOptions> {
    const existing = await this.repository.list(user.id);
    const options = await generateRegistrationOptions({
      rpName: this.rp.name,
      rpID: this.rp.id,
      userName: account,
      userID: new TextEncoder().encode(user.id),
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    await this.challenges.put(options.challenge, purposeKey(registration(user.id, interaction)));
    return JSON.stringify(options);
  }

  /**
   * Request options: for a second factor, the user's passkeys; for signing in, any passkey of this
   * site (the authenticator offers its discoverable ones).
   */
  async authenticationOptions(purpose: PasskeyPurpose): Promise<CeremonyOptions> {
    const allow = purpose.kind === 'sign-in' ? undefined : await this.repository.list(purpose.userId);
    const options = await generateAuthenticationOptions({
      rpID: this.rp.id,
      userVerification: 'required',
      ...(allow === undefined
        ? {}
        : { allowCredentials: allow.map((p) => ({ id: p.credentialId, transports: p.transports })) }),
    });
    await this.challenges.put(options.challenge, purposeKey(purpose));
    return JSON.stringify(options);
  }

  /**
   * Registers the credential the browser created for options issued with the same `interaction` (or
   * none); false when it does not verify.
   */
  async register(userId: string, responseJson: string, name: string, interaction?: string): Promise<boolean> {
    const response = parse(registrationResponse, responseJson) as RegistrationResponseJSON | null;
    if (response === null) return false;
    const expected = await this.takeChallenge(response.response.clientDataJSON);
    if (expected === null || expected.purpose !== purposeKey(registration(userId, interaction))) return false;
    try {
      const result = await verifyRegistrationResponse({
        response,
        expectedChallenge: expected.challenge,
        expectedOrigin: this.rp.origin,
        expectedRPID: this.rp.id,
        requireUserVerification: true,
      });
      if (!result.verified) return false;
      const { credential } = result.registrationInfo;
      return await this.repository.add({
        credentialId: credential.id,
        userId,
        publicKey: credential.publicKey,
        counter: credential.counter,
        transports: credential.transports ?? [],
        name: passkeyName(name),
        createdAt: new Date(this.clock()),
      });
    } catch {
      return false;
    }
  }

  /**
   * The user an assertion proves, or null: the challenge must have been issued for `purpose` (for a
   * second factor, to that user, and the passkey theirs), the signature valid under the stored key,
   * user verification done and the counter not gone backwards.
   */
  async authenticate(purpose: PasskeyPurpose, responseJson: string): Promise<string | null> {
    const response = parse(authenticationResponse, responseJson) as AuthenticationResponseJSON | null;
    if (response === null) return null;
    const expected = await this.takeChallenge(response.response.clientDataJSON);
    if (expected === null || expected.purpose !== purposeKey(purpose)) return null;
    const passkey = await this.repository.findByCredentialId(response.id);
    if (passkey === null || (purpose.kind !== 'sign-in' && passkey.userId !== purpose.userId)) return null;
    // A discoverable credential names its user; it must be the one the passkey was registered to.
    const handle = response.response.userHandle;
    if (handle !== undefined && Buffer.from(handle, 'base64url').toString('utf8') !== passkey.userId)
      return null;
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: expected.challenge,
        expectedOrigin: this.rp.origin,
        expectedRPID: this.rp.id,
        credential: {
          id: passkey.credentialId,
          publicKey: new Uint8Array(passkey.publicKey),
          counter: passkey.counter,
          transports: passkey.transports,
        },
        requireUserVerification: true,
      });
      if (!result.verified || !result.authenticationInfo.userVerified) return null;
      const used = await this.repository.used(
        passkey.credentialId,
        result.authenticationInfo.newCounter,
        new Date(this.clock()),
      );
      return used ? passkey.userId : null;
    } catch {
      return null;
    }
  }

  rename(userId: string, credentialId: string, name: string): Promise<boolean> {
    return this.repository.rename(userId, credentialId, passkeyName(name));
  }

  remove(userId: string, credentialId: string): Promise<boolean> {
    return this.repository.remove(userId, credentialId);
  }

  /** The challenge the browser signed (from its client data), taken so it cannot be answered again. */
  private async takeChallenge(
    clientDataJSON: string,
  ): Promise<{ challenge: string; purpose: string } | null> {
    let challenge: unknown;
    try {
      challenge = (
        JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown }
      ).challenge;
    } catch {
      return null;
    }
    if (typeof challenge !== 'string' || !/^[A-Za-z0-9_-]{16,128}$/.test(challenge)) return null;
    const purpose = await this.challenges.take(challenge);
    return purpose === null ? null : { challenge, purpose };
  }
}

function registration(userId: string, interaction: string | undefined): PasskeyPurpose {
  return interaction === undefined ? { kind: 'register', userId } : { kind: 'register', userId, interaction };
}

function purposeKey(purpose: PasskeyPurpose): string {
  if (purpose.kind === 'sign-in') return 'sign-in';
  // A user id and an interaction uid are URL-safe, never a space: the parts cannot run together.
  const bound = purpose.kind === 'register' && purpose.interaction !== undefined;
  return `${purpose.kind}:${purpose.userId}${bound ? ` interaction:${purpose.interaction}` : ''}`;
}

/** A typed name, trimmed and bounded; empty gives the default. */
export function passkeyName(typed: string): string {
  const name = typed.trim().replace(/\s+/g, ' ').slice(0, 64);
  return name === '' ? DEFAULT_PASSKEY_NAME : name;
}

function parse<T>(schema: z.ZodType<T>, json: string): T | null {
  try {
    const result = schema.safeParse(JSON.parse(json));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}
