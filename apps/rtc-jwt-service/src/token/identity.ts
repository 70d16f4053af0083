import { unpaddedBase64Sha256 } from '../request/hash';

/**
 * The LiveKit participant identity (JWT `sub`) for `/get_token` and `/delegate_delayed_leave`:
 * unpadded base64 of SHA-256 over `JSON.stringify([userId, deviceId, memberId])`.
 *
 * It must match matrix-js-sdk's `computeRtcIdentityRaw` byte for byte, or other participants cannot map
 * the LiveKit participant to its Matrix membership (tiles and E2EE keys break). The latest MSC4195 text
 * drops the device id, but no client or server implements that yet, so three elements it is.
 */
export function liveKitIdentity(userId: string, deviceId: string, memberId: string): string {
  return unpaddedBase64Sha256(JSON.stringify([userId, deviceId, memberId]));
}

/**
 * The identity `/sfu/get` grants: `<user id>:<device id>`, in clear. js-sdk derives the same string for
 * legacy `org.matrix.msc3401.call.member` events. An empty device id leaves a trailing colon, as upstream.
 */
export function legacyLiveKitIdentity(userId: string, deviceId: string): string {
  return `${userId}:${deviceId}`;
}
