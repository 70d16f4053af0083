import { randomBytes } from 'node:crypto';
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
 * oidc-provider's storage adapter over Postgres. One instance per model name, as oidc-provider asks.
 */
export class OidcAdapter {
  constructor(
    private readonly model: string,
    private readonly repo: OidcPayloadRepository,
  ) {}

  private key(id: string): string {
    return this.keyOf(this.model, id);
  }

  private keyOf(model: string, id: string): string {
    if (id.startsWith(STORED_KEY)) return id.slice(STORED_KEY.length);
    return SECRET_MODELS.has(model) ? hashToken(id) : id;
  }

  async upsert(id: string, payload: StoredPayload, expiresIn: number | undefined): Promise<void> {
    await this.repo.upsert(this.model, this.key(id), this.atRest(payload), expiresIn);
  }

  async find(id: string): Promise<StoredPayload | undefined> {
    const internal = id.startsWith(STORED_KEY);
    if (!internal && !plausibleId(id)) return undefined;
    if (!internal && FORMATTED_MODELS.has(this.model) && parseToken(id)?.valid !== true) return undefined;
    const stored = await this.repo.find(this.model, this.key(id));
    if (stored === undefined) return undefined;
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
  private atRest(payload: StoredPayload): StoredPayload {
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
