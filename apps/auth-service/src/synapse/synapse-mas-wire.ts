/**
 * Request bodies and response shapes of Synapse's `/_synapse/mas/*` API, as Synapse 1.160 parses them
 * (synapse/rest/synapse/mas/users.py, devices.py): pydantic models with strict types, so a field must
 * be absent rather than `null` unless the model says `| None`. Pure functions, unit tested.
 */

/** `GET /_synapse/mas/query_user` → 200. */
export interface SynapseUser {
  /** `@localpart:server_name` */
  userId: string;
  displayName: string | null;
  avatarUrl: string | null;
  isSuspended: boolean;
  isDeactivated: boolean;
}

/**
 * `POST /_synapse/mas/provision_user`. For each profile field: a value sets it, `null` clears it,
 * absent leaves it alone. This maps onto Synapse's `set_x` / `unset_x` pairs, which it refuses to
 * receive together (400), so that mistake cannot be expressed here.
 */
export interface ProvisionUserRequest {
  localpart: string;
  displayName?: string | null;
  avatarUrl?: string | null;
  /** The complete e-mail list: Synapse adds and deletes 3PIDs to match it. `null` deletes all. */
  emails?: readonly string[] | null;
  /** Synapse's copy of the lock flag (it hides locked users from the user directory). */
  locked?: boolean;
}

/** 201 from provision_user and upsert_device means Synapse inserted the row, 200 that it existed. */
export type UpsertOutcome = 'created' | 'updated';

/**
 * `GET /_synapse/mas/is_localpart_available`: 200 `{}`, or 400 with one of three errcodes, which all
 * mean "cannot register this localpart".
 */
export type LocalpartAvailability =
  | { available: true }
  | { available: false; reason: UnavailableReason; errcode: string; message: string | undefined };

export type UnavailableReason = 'in_use' | 'invalid' | 'exclusive';

const UNAVAILABLE_ERRCODES: Readonly<Record<string, UnavailableReason>> = {
  M_USER_IN_USE: 'in_use',
  M_INVALID_USERNAME: 'invalid',
  // The localpart is inside an application service's exclusive user namespace.
  M_EXCLUSIVE: 'exclusive',
};

export function unavailableReason(errcode: string | undefined): UnavailableReason | undefined {
  return errcode === undefined ? undefined : UNAVAILABLE_ERRCODES[errcode];
}

export function provisionUserBody(request: ProvisionUserRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { localpart: request.localpart };
  setOrUnset(body, 'displayname', request.displayName);
  setOrUnset(body, 'avatar_url', request.avatarUrl);
  setOrUnset(
    body,
    'emails',
    request.emails === undefined || request.emails === null ? request.emails : [...request.emails],
  );
  if (request.locked !== undefined) body['locked'] = request.locked;
  return body;
}

function setOrUnset(body: Record<string, unknown>, field: string, value: unknown): void {
  if (value === undefined) return;
  if (value === null) body[`unset_${field}`] = true;
  else body[`set_${field}`] = value;
}

/** Parses query_user's 200 body; `null` if it is not the shape Synapse documents. */
export function parseSynapseUser(body: unknown): SynapseUser | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  const { user_id: userId, display_name: displayName, avatar_url: avatarUrl } = b;
  const { is_suspended: isSuspended, is_deactivated: isDeactivated } = b;
  if (typeof userId !== 'string' || typeof isSuspended !== 'boolean' || typeof isDeactivated !== 'boolean')
    return null;
  if (!isStringOrNull(displayName) || !isStringOrNull(avatarUrl)) return null;
  return { userId, displayName, avatarUrl, isSuspended, isDeactivated };
}

function isStringOrNull(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

/** `{errcode, error}` from a Matrix error body; fields that are not strings are dropped. */
export function parseMatrixError(body: unknown): { errcode: string | undefined; error: string | undefined } {
  if (typeof body !== 'object' || body === null) return { errcode: undefined, error: undefined };
  const { errcode, error } = body as Record<string, unknown>;
  return {
    errcode: typeof errcode === 'string' ? errcode : undefined,
    error: typeof error === 'string' ? error : undefined,
  };
}
