import { MatrixError } from '@gateway/matrix';
import {
  booleanField,
  isJsonObject,
  objectField,
  ownField,
  stringField,
  type JsonObject,
} from '@gateway/util';

/**
 * Reading the body of `POST /_matrix/client/{v3,r0}/login` with Synapse's checks, in Synapse's order
 * and with its error codes and messages (synapse/rest/client/login.py and
 * `convert_client_dict_legacy_fields` in synapse/handlers/auth.py, in Synapse's repository): clients
 * written against Synapse see the same answers through the compat layer.
 */

/** Synapse's limit on a device ID usable under delegated auth (it refuses longer ones at introspection). */
export const MAX_DEVICE_ID_LENGTH = 255;

interface Common {
  /** Absent or empty: a new one is generated. */
  deviceId: string | null;
  initialDeviceDisplayName: string | null;
  refreshToken: boolean;
}

export type LoginRequest =
  | (Common & { type: 'm.login.password'; user: string; password: string })
  | (Common & { type: 'm.login.token'; token: string });

const bad = (errcode: 'M_UNKNOWN' | 'M_INVALID_PARAM' | 'M_MISSING_PARAM' | 'M_BAD_JSON', message: string) =>
  new MatrixError(errcode, message, { status: 400 });

/** The login request in `body` (already parsed JSON), or the MatrixError Synapse would answer. */
export function parseLoginRequest(body: unknown): LoginRequest {
  if (!isJsonObject(body)) throw bad('M_BAD_JSON', 'Content must be a JSON object.');
  const refresh = ownField(body, 'refresh_token');
  if (refresh !== undefined && typeof refresh !== 'boolean') {
    throw bad('M_UNKNOWN', '`refresh_token` should be true or false.');
  }
  const type = ownField(body, 'type');
  if (type === undefined) throw bad('M_UNKNOWN', 'Missing JSON keys.');
  if (typeof type !== 'string') throw bad('M_INVALID_PARAM', 'Bad parameter: type');
  const common: Common = {
    deviceId: deviceIdOf(body),
    initialDeviceDisplayName: displayNameOf(body),
    refreshToken: booleanField(body, 'refresh_token') ?? false,
  };
  if (type === 'm.login.token') {
    const token = ownField(body, 'token');
    if (token === undefined) throw bad('M_UNKNOWN', 'Missing JSON keys.');
    // Anything but a string cannot be a token we issued.
    if (typeof token !== 'string') throw new MatrixError('M_FORBIDDEN', 'Invalid login token');
    return { ...common, type, token };
  }
  if (type === 'm.login.password') {
    const user = userOf(body);
    const password = ownField(body, 'password');
    if (typeof password !== 'string') throw bad('M_INVALID_PARAM', 'Bad parameter: password');
    return { ...common, type, user, password };
  }
  // m.login.application_service among them: appservices register their own devices (MSC4190).
  throw bad('M_UNKNOWN', `Unknown login type ${type}`);
}

/** The user named by the legacy top-level `user`, or by an `m.id.user` identifier. */
function userOf(body: JsonObject): string {
  const legacy = ownField(body, 'user');
  if (typeof legacy === 'string' && legacy !== '') return legacy;
  const identifier = objectField(body, 'identifier');
  const idType = identifier === undefined ? undefined : ownField(identifier, 'type');
  if (identifier === undefined || idType === undefined) {
    throw bad('M_MISSING_PARAM', "Missing 'type' key in identifier");
  }
  if (idType === 'm.id.thirdparty' || idType === 'm.id.phone') {
    // Third-party identifiers need email addresses on accounts, which this service does not hold yet.
    throw new MatrixError('M_FORBIDDEN', 'Invalid username or password');
  }
  if (idType !== 'm.id.user') throw bad('M_UNKNOWN', 'Unknown login identifier type');
  const user = stringField(identifier, 'user');
  if (user === undefined || user === '') throw bad('M_UNKNOWN', "User identifier is missing 'user' key");
  return user;
}

function deviceIdOf(body: JsonObject): string | null {
  const value = ownField(body, 'device_id');
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw bad('M_INVALID_PARAM', 'Bad parameter: device_id');
  if (value.length > MAX_DEVICE_ID_LENGTH) {
    throw bad('M_INVALID_PARAM', `device_id cannot be longer than ${MAX_DEVICE_ID_LENGTH} characters.`);
  }
  // Control characters and whitespace would break the device scope and Synapse's device tables.
  if (!/^[\x21-\x7e]+$/.test(value)) throw bad('M_INVALID_PARAM', 'Bad parameter: device_id');
  return value;
}

function displayNameOf(body: JsonObject): string | null {
  const value = ownField(body, 'initial_device_display_name');
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw bad('M_INVALID_PARAM', 'Bad parameter: initial_device_display_name');
  // Synapse's own cap on device display names.
  return value.slice(0, 100);
}
