import type { AccountDataEvent, Hero, StrippedStateEvent, UserRoomRow } from '@gateway/sync-data';
import type { RoomIndexEntry } from './room-index';

/** A user's rooms for lists, with what each list filter needs, built from one query's rows. */
export interface UserRoomIndex {
  entries: RoomIndexEntry[];
  rows: Map<string, UserRoomRow>;
}

/**
 * Which rooms may appear in lists (Synapse's rule): joined, invited, knocked and banned rooms; rooms
 * the user was kicked from; rooms the user left themselves only when the leave is news to this
 * connection (`leftAfterSeq`).
 */
function listable(row: UserRoomRow, leftAfterSeq: number | null): boolean {
  if (row.membership !== 'leave') return true;
  if (!row.membershipBySelf) return true;
  return leftAfterSeq !== null && row.userChangedSeq > leftAfterSeq;
}

export function buildRoomIndex(
  userId: string,
  rows: readonly UserRoomRow[],
  accountData: readonly (AccountDataEvent & { roomId: string })[],
  leftAfterSeq: number | null,
): UserRoomIndex {
  const dmRooms = directRooms(accountData);
  const tags = new Map<string, string[]>();
  for (const ad of accountData) {
    if (ad.type === 'm.tag' && ad.roomId !== '') tags.set(ad.roomId, tagNames(ad.content));
  }
  const entries: RoomIndexEntry[] = [];
  const byId = new Map<string, UserRoomRow>();
  for (const row of rows) {
    byId.set(row.roomId, row);
    if (!listable(row, leftAfterSeq)) continue;
    // Upgraded rooms drop out once the user is in the successor, as the Go proxy did.
    const successor = row.room?.tombstoneSuccessor;
    if (
      successor !== null &&
      successor !== undefined &&
      rows.some((r) => r.roomId === successor && r.membership === 'join')
    )
      continue;
    const stripped = row.inviteState ?? [];
    const fromInvite = row.room === null || row.membership === 'invite' || row.membership === 'knock';
    entries.push({
      roomId: row.roomId,
      membership: row.membership,
      roomType: fromInvite ? strippedString(stripped, 'm.room.create', 'type') : (row.room?.roomType ?? null),
      isEncrypted: fromInvite
        ? stripped.some((e) => e.type === 'm.room.encryption')
        : (row.room?.isEncrypted ?? false),
      name: fromInvite ? strippedString(stripped, 'm.room.name', 'name') : (row.room?.name ?? null),
      canonicalAlias: fromInvite
        ? strippedString(stripped, 'm.room.canonical_alias', 'alias')
        : (row.room?.canonicalAlias ?? null),
      avatarUrl: fromInvite
        ? strippedString(stripped, 'm.room.avatar', 'url')
        : (row.room?.avatarUrl ?? null),
      heroes: (row.heroes ?? []).map((userId): Hero => ({ userId })),
      joinedCount: row.joinedCount ?? 0,
      invitedCount: row.invitedCount ?? 0,
      tags: tags.get(row.roomId) ?? [],
      isDm: dmRooms.has(row.roomId),
      bumpStamp: fromInvite
        ? (inviteTs(stripped, userId) ?? row.membershipTs)
        : row.membership !== 'join'
          ? row.membershipTs
          : (row.room?.bumpTs ?? 0) || row.membershipTs,
      bumpSeq: fromInvite ? row.userChangedSeq : (row.room?.bumpSeq ?? 0),
      notificationCount: row.notificationCount,
      highlightCount: row.highlightCount,
    });
  }
  return { entries, rows: byId };
}

/** An invite sorts by when it was sent: the invite event is the one stripped event with a timestamp. */
function inviteTs(events: readonly StrippedStateEvent[], userId: string): number | undefined {
  const invite = events.find((e) => e.type === 'm.room.member' && e.state_key === userId);
  const ts = invite?.['origin_server_ts'];
  return typeof ts === 'number' ? ts : undefined;
}

function directRooms(accountData: readonly (AccountDataEvent & { roomId: string })[]): Set<string> {
  const out = new Set<string>();
  const direct = accountData.find((a) => a.type === 'm.direct' && a.roomId === '');
  if (direct === undefined) return out;
  for (const value of Object.values(direct.content)) {
    if (!Array.isArray(value)) continue;
    for (const id of value) if (typeof id === 'string') out.add(id);
  }
  return out;
}

function tagNames(content: Record<string, unknown>): string[] {
  const tags = content['tags'];
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return [];
  return Object.keys(tags);
}

function strippedString(events: readonly StrippedStateEvent[], type: string, field: string): string | null {
  const event = events.find((e) => e.type === type && e.state_key === '');
  const value = event?.content[field];
  return typeof value === 'string' && value !== '' ? value : null;
}
