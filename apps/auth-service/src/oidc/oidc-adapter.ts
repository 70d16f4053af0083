import type { OidcPayloadRepository, StoredPayload } from '@gateway/auth-data';
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
]);
/** Models whose values have MAS's checksummed format: garbage is refused before any database lookup. */
const FORMATTED_MODELS = new Set(['AccessToken', 'RefreshToken']);

/**
 * oidc-provider's storage adapter over Postgres. One instance per model name, as oidc-provider asks.
 */
export class OidcAdapter {
  constructor(
    private readonly model: string,
    private readonly repo: OidcPayloadRepository,
  ) {}

  private key(id: string): string {
    return SECRET_MODELS.has(this.model) ? hashToken(id) : id;
  }

  async upsert(id: string, payload: StoredPayload, expiresIn: number | undefined): Promise<void> {
    await this.repo.upsert(this.model, this.key(id), payload, expiresIn);
  }

  async find(id: string): Promise<StoredPayload | undefined> {
    if (!plausibleId(id)) return undefined;
    if (FORMATTED_MODELS.has(this.model) && parseToken(id)?.valid !== true) return undefined;
    return this.repo.find(this.model, this.key(id));
  }

  findByUserCode(userCode: string): Promise<StoredPayload | undefined> {
    if (!plausibleId(userCode)) return Promise.resolve(undefined);
    return this.repo.findByUserCode(this.model, userCode);
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
}

/**
 * Ids arrive from requests (client_id, codes, cookies). Postgres refuses NUL bytes in text and a huge
 * value is never a real id: both are "not found", not a database error.
 */
function plausibleId(id: string): boolean {
  return id.length > 0 && id.length <= 1024 && !id.includes('\u0000');
}
