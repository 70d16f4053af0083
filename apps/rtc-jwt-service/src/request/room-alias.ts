import { unpaddedBase64Sha256 } from './hash';

/**
 * The slot `/sfu/get` hashes every room with. Element Call's only slot is `m.call#ROOM` (a legacy call id
 * of "" maps to "ROOM"), so hard-coding it makes `/sfu/get` and `/get_token` put the same Matrix room in
 * the same LiveKit room.
 */
export const LEGACY_SLOT_ID = 'm.call#ROOM';

/**
 * The LiveKit room name for a MatrixRTC slot: unpadded base64 of SHA-256 over `JSON.stringify([roomId,
 * slotId])` (MSC4195). Pseudonymous, distinct per slot and identical for every member of the slot.
 *
 * `JSON.stringify` (not Go's HTML-escaping encoder) is deliberate: it is what matrix-js-sdk and the Rust
 * lk-jwt-service use; the two only differ for ids containing `<`, `>`, `&`, U+2028 or U+2029.
 */
export function liveKitRoomAlias(roomId: string, slotId: string): string {
  return unpaddedBase64Sha256(JSON.stringify([roomId, slotId]));
}

/** The room `/sfu/get` grants: the alias of the legacy `m.call#ROOM` slot. */
export function legacyLiveKitRoomAlias(roomId: string): string {
  return liveKitRoomAlias(roomId, LEGACY_SLOT_ID);
}
