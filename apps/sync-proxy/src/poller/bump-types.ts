/**
 * Which timeline events move a room up the list: Synapse's fixed set for MSC4186 sliding sync,
 * `SLIDING_SYNC_DEFAULT_BUMP_EVENT_TYPES` in
 * https://github.com/element-hq/synapse/blob/develop/synapse/types/handlers/__init__.py. Reactions,
 * edits and state changes other than the room's creation do not. The proxy's policy, applied when a
 * batch is stored; the data lib only records the newest bumping event.
 */
const BUMP_TYPES: ReadonlySet<string> = new Set([
  'm.room.create',
  'm.room.message',
  'm.room.encrypted',
  'm.sticker',
  'm.call.invite',
  'm.poll.start',
  'm.beacon_info',
]);

export function bumpsRoom(eventType: string): boolean {
  return BUMP_TYPES.has(eventType);
}
