import { MatrixError } from '@gateway/matrix';
import { DecodeError, decodeGoStyle, type Decoded, type ObjectSpec } from './go-style-json';

/**
 * Parsing and validation of the three POST bodies, in lk-jwt-service's order and with its exact texts:
 * first the whole body is decoded (any failure: 400 M_NOT_JSON), then fields are checked one group at a
 * time (400 M_BAD_JSON). Nothing here touches the network, so a malformed request never reaches a
 * homeserver.
 */

export interface BodyParseOptions {
  /**
   * Refuse unknown keys with 400 M_NOT_JSON, as lk-jwt-service does. Off by default: that strictness
   * caused an outage when Element Call started forwarding `openid_token.expires_in` (lk-jwt-service#131).
   */
  strictUnknownFields?: boolean;
}

export interface OpenIdCredentials {
  accessToken: string;
  matrixServerName: string;
  /** Accepted and not checked, as upstream. */
  tokenType: string;
  /** `expires_in` when the client sent a positive value; only ever used to bound caching. */
  expiresInSeconds: number | null;
}

export interface RtcMemberClaim {
  id: string;
  claimedUserId: string;
  claimedDeviceId: string;
}

/** MSC4140 delayed-leave delegation. `delay_cs_api_url` is accepted and ignored (lk-jwt-service#188). */
export interface DelayedLeaveParams {
  delayId: string;
  delayTimeoutMs: number;
}

export interface GetTokenRequest {
  roomId: string;
  slotId: string;
  openId: OpenIdCredentials;
  member: RtcMemberClaim;
  delay: DelayedLeaveParams | null;
}

export interface LegacySfuGetRequest {
  room: string;
  openId: OpenIdCredentials;
  /** May be empty: the legacy identity then ends in a bare colon. */
  deviceId: string;
  delay: DelayedLeaveParams | null;
}

export interface DelegateDelayedLeaveRequest {
  roomId: string;
  slotId: string;
  openId: OpenIdCredentials;
  member: RtcMemberClaim;
  delay: DelayedLeaveParams;
}

/** lk-jwt-service's error texts, verbatim (note the "a" that only `/get_token` has). */
export const REQUEST_ERRORS = {
  unreadable: 'Error reading request',
  missingRoomOrSlot: 'The request body is missing `room_id` or `slot_id`',
  missingMember: 'The request body `member` is missing a `id`, `claimed_user_id` or `claimed_device_id`',
  missingOpenId: 'The request body `openid_token` is missing a `access_token` or `matrix_server_name`',
  delegateMissingMember:
    'The request body `member` is missing `id`, `claimed_user_id` or `claimed_device_id`',
  delegateMissingOpenId: 'The request body `openid_token` is missing `access_token` or `matrix_server_name`',
  missingDelay: 'The request body is missing `delay_id` or `delay_timeout`',
  legacyMissingRoom: 'Missing room parameter',
  legacyMissingOpenId: 'Missing OpenID token parameters',
} as const;

const OPENID = {
  access_token: 'string',
  token_type: 'string',
  matrix_server_name: 'string',
  expires_in: 'integer',
} as const;
const DELAY = { delay_id: 'string', delay_timeout: 'integer', delay_cs_api_url: 'string' } as const;
const MEMBER = { id: 'string', claimed_user_id: 'string', claimed_device_id: 'string' } as const;
const GET_TOKEN = {
  room_id: 'string',
  slot_id: 'string',
  openid_token: OPENID,
  member: MEMBER,
  ...DELAY,
} as const;
const SFU_GET = { room: 'string', openid_token: OPENID, device_id: 'string', ...DELAY } as const;

/** Parses the raw body of `POST /get_token` (MSC4195, standalone). */
export function parseGetTokenBody(raw: string, options: BodyParseOptions = {}): GetTokenRequest {
  return validateGetTokenBody(parseJson(raw), options);
}

/** Parses the raw body of the legacy `POST /sfu/get`. */
export function parseSfuGetBody(raw: string, options: BodyParseOptions = {}): LegacySfuGetRequest {
  return validateSfuGetBody(parseJson(raw), options);
}

/** Parses the raw body of `POST /delegate_delayed_leave`, where the delay parameters are mandatory. */
export function parseDelegateDelayedLeaveBody(
  raw: string,
  options: BodyParseOptions = {},
): DelegateDelayedLeaveRequest {
  return validateDelegateDelayedLeaveBody(parseJson(raw), options);
}

/** As {@link parseGetTokenBody}, for a body a framework has already run through `JSON.parse`. */
export function validateGetTokenBody(value: unknown, options: BodyParseOptions = {}): GetTokenRequest {
  const body = decode(value, GET_TOKEN, options);
  if (body.room_id === '' || body.slot_id === '') badJson(REQUEST_ERRORS.missingRoomOrSlot);
  const member = toMember(body.member, REQUEST_ERRORS.missingMember);
  const openId = toOpenId(body.openid_token, REQUEST_ERRORS.missingOpenId);
  return { roomId: body.room_id, slotId: body.slot_id, openId, member, delay: optionalDelay(body) };
}

/** As {@link parseSfuGetBody}, for an already parsed body. */
export function validateSfuGetBody(value: unknown, options: BodyParseOptions = {}): LegacySfuGetRequest {
  const body = decode(value, SFU_GET, options);
  if (body.room === '') badJson(REQUEST_ERRORS.legacyMissingRoom);
  const openId = toOpenId(body.openid_token, REQUEST_ERRORS.legacyMissingOpenId);
  return { room: body.room, openId, deviceId: body.device_id, delay: optionalDelay(body) };
}

/** As {@link parseDelegateDelayedLeaveBody}, for an already parsed body. */
export function validateDelegateDelayedLeaveBody(
  value: unknown,
  options: BodyParseOptions = {},
): DelegateDelayedLeaveRequest {
  const body = decode(value, GET_TOKEN, options);
  if (body.room_id === '' || body.slot_id === '') badJson(REQUEST_ERRORS.missingRoomOrSlot);
  const member = toMember(body.member, REQUEST_ERRORS.delegateMissingMember);
  const openId = toOpenId(body.openid_token, REQUEST_ERRORS.delegateMissingOpenId);
  if (body.delay_id === '' || body.delay_timeout <= 0) badJson(REQUEST_ERRORS.missingDelay);
  const delay = { delayId: body.delay_id, delayTimeoutMs: body.delay_timeout };
  return { roomId: body.room_id, slotId: body.slot_id, openId, member, delay };
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    // Empty bodies, syntax errors and pathological nesting (RangeError) all land here.
    throw new MatrixError('M_NOT_JSON', REQUEST_ERRORS.unreadable);
  }
}

function decode<S extends ObjectSpec>(value: unknown, spec: S, options: BodyParseOptions): Decoded<S> {
  try {
    return decodeGoStyle(value, spec, options.strictUnknownFields ?? false);
  } catch (error) {
    if (error instanceof DecodeError) throw new MatrixError('M_NOT_JSON', REQUEST_ERRORS.unreadable);
    throw error;
  }
}

function toMember(member: Decoded<typeof MEMBER>, message: string): RtcMemberClaim {
  if (member.id === '' || member.claimed_user_id === '' || member.claimed_device_id === '') badJson(message);
  return { id: member.id, claimedUserId: member.claimed_user_id, claimedDeviceId: member.claimed_device_id };
}

function toOpenId(token: Decoded<typeof OPENID>, message: string): OpenIdCredentials {
  if (token.access_token === '' || token.matrix_server_name === '') badJson(message);
  return {
    accessToken: token.access_token,
    matrixServerName: token.matrix_server_name,
    tokenType: token.token_type,
    expiresInSeconds: token.expires_in > 0 ? token.expires_in : null,
  };
}

/** Both-or-neither: a `delay_id` without a positive `delay_timeout` (or the reverse) is refused. */
function optionalDelay(body: Decoded<typeof DELAY>): DelayedLeaveParams | null {
  const hasId = body.delay_id !== '';
  const hasTimeout = body.delay_timeout > 0;
  if (hasId !== hasTimeout) badJson(REQUEST_ERRORS.missingDelay);
  return hasId ? { delayId: body.delay_id, delayTimeoutMs: body.delay_timeout } : null;
}

function badJson(message: string): never {
  throw new MatrixError('M_BAD_JSON', message);
}
