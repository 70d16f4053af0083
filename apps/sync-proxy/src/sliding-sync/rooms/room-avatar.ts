import type { RoomIndexEntry } from '../room-index/room-index';

export type RoomAvatarInput = Pick<
  RoomIndexEntry,
  'avatarUrl' | 'heroes' | 'joinedCount' | 'invitedCount' | 'isDm'
>;

/**
 * The room's own `m.room.avatar`, else — for a two-person room, the shape of a DM — the other person's
 * avatar, so a client shows a face instead of a blank. `isDm` does not gate this: clients fall back to the
 * partner for any one-to-one room, and `m.direct` is often missing on the other side of a DM. A room with
 * more people has no single face to borrow; null tells the client there is no avatar.
 */
export function computeRoomAvatar(room: RoomAvatarInput): string | null {
  if (room.avatarUrl) return room.avatarUrl;
  const [partner, ...rest] = room.heroes;
  if (partner !== undefined && rest.length === 0 && room.joinedCount + room.invitedCount <= 2) {
    return partner.avatarUrl ? partner.avatarUrl : null;
  }
  return null;
}
