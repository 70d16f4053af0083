import type { ExtensionScope } from '../protocol/sync-request';

/**
 * The rooms an extension covers: rooms of the named lists' windows (all lists when `lists` is omitted or
 * `["*"]`) plus the named subscriptions (all when omitted or `["*"]`).
 */
export function roomsInScope(
  scope: ExtensionScope,
  roomsByList: ReadonlyMap<string, ReadonlySet<string>>,
  subscribed: ReadonlySet<string>,
): Set<string> {
  const out = new Set<string>();
  const lists = scope.lists;
  for (const [name, rooms] of roomsByList) {
    if (lists === undefined || lists.includes('*') || lists.includes(name))
      for (const id of rooms) out.add(id);
  }
  const rooms = scope.rooms;
  for (const id of subscribed) {
    if (rooms === undefined || rooms.includes('*') || rooms.includes(id)) out.add(id);
  }
  return out;
}

export function isEnabled(scope: { enabled: boolean | undefined } | undefined): boolean {
  return scope?.enabled === true;
}
