import type { StateEvent } from '@gateway/sync-data';
import type { RequiredStateEntry } from '../protocol/sync-request';

const WILDCARD = '*';
const ME = '$ME';
const LAZY = '$LAZY';
const MEMBER = 'm.room.member';

/** A list's or subscription's `required_state`, compiled once per request and asked per state event. */
export interface RequiredStateMatcher {
  matches(type: string, stateKey: string): boolean;
  /** `["*","*"]` was asked: every state event, whatever else the entries say. */
  wantsAll(): boolean;
  /**
   * `["m.room.member","$LAZY"]` was asked: the caller adds the member events of timeline senders and
   * membership targets (see `lazyMembersFor`). Set whenever asked, even if `wantsAllMembers` already covers it.
   */
  readonly lazyMembers: boolean;
  /** Every member event is wanted (`["m.room.member","*"]` or all state): lazy loading is moot. */
  readonly wantsAllMembers: boolean;
  /**
   * For targeted DB queries when not `wantsAll()`: the concrete `[type, state_key]` pairs (with `$ME`
   * resolved), the types wanted with any key, and the keys wanted with any type. Sorted and deduplicated.
   */
  readonly pairs: readonly RequiredStateEntry[];
  readonly anyKeyTypes: readonly string[];
  readonly anyTypeKeys: readonly string[];
}

/**
 * Entries are ORed. `$ME` stands for `userId` wherever a state key goes; `$LAZY` only means lazy members.
 * `exclude` (same entry syntax, `$LAZY` meaningless) removes what it matches from what `entries` match.
 */
export function compileRequiredState(
  entries: readonly RequiredStateEntry[],
  userId: string,
  exclude: readonly RequiredStateEntry[] = [],
): RequiredStateMatcher {
  const included = compileIncludes(entries, userId);
  if (exclude.length === 0) return included;
  const excluded = compileIncludes(exclude, userId);
  return {
    ...included,
    matches: (type, stateKey) => included.matches(type, stateKey) && !excluded.matches(type, stateKey),
    // Everything minus something is no longer "everything": the per-event check must run.
    wantsAll: () => false,
  };
}

function compileIncludes(entries: readonly RequiredStateEntry[], userId: string): RequiredStateMatcher {
  let all = false;
  let lazyMembers = false;
  // Maps keyed by type (not objects), so no event type can reach an object prototype.
  const exact = new Map<string, Set<string>>();
  const anyKeyTypes = new Set<string>();
  const anyTypeKeys = new Set<string>();

  for (const [type, rawKey] of entries) {
    if (type === MEMBER && rawKey === LAZY) {
      lazyMembers = true;
      continue;
    }
    const key = rawKey === ME ? userId : rawKey;
    if (type === WILDCARD && key === WILDCARD) all = true;
    else if (type === WILDCARD) anyTypeKeys.add(key);
    else if (key === WILDCARD) anyKeyTypes.add(type);
    else {
      const keys = exact.get(type) ?? new Set<string>();
      keys.add(key);
      exact.set(type, keys);
    }
  }

  const pairs: RequiredStateEntry[] = [];
  for (const [type, keys] of exact) for (const key of keys) pairs.push([type, key]);
  pairs.sort(compareEntries);

  return {
    matches: (type, stateKey) =>
      all || anyKeyTypes.has(type) || anyTypeKeys.has(stateKey) || (exact.get(type)?.has(stateKey) ?? false),
    wantsAll: () => all,
    lazyMembers,
    wantsAllMembers: all || anyKeyTypes.has(MEMBER),
    pairs,
    anyKeyTypes: [...anyKeyTypes].sort(compareStrings),
    anyTypeKeys: [...anyTypeKeys].sort(compareStrings),
  };
}

/**
 * The events of `state` the matcher wants, plus the member events of `lazyUserIds`, in the order given.
 * One event per `(type, state_key)`: the first wins, so a caller may append extra candidates safely.
 */
export function selectRequiredState(
  state: readonly StateEvent[],
  matcher: RequiredStateMatcher,
  lazyUserIds: ReadonlySet<string>,
): StateEvent[] {
  const seen = new Map<string, Set<string>>();
  const out: StateEvent[] = [];
  for (const event of state) {
    const wanted =
      matcher.matches(event.type, event.state_key) ||
      (event.type === MEMBER && lazyUserIds.has(event.state_key));
    if (!wanted) continue;
    const keys = seen.get(event.type) ?? new Set<string>();
    if (keys.has(event.state_key)) continue;
    keys.add(event.state_key);
    seen.set(event.type, keys);
    out.push(event);
  }
  return out;
}

/** The users whose member events lazy loading adds: timeline senders and targets of membership events. */
export function lazyMembersFor(
  timeline: readonly { sender: string; type: string; state_key?: string }[],
): Set<string> {
  const users = new Set<string>();
  for (const event of timeline) {
    users.add(event.sender);
    if (event.type === MEMBER && event.state_key !== undefined) users.add(event.state_key);
  }
  return users;
}

/**
 * A canonical form of `required_state` (sorted, deduplicated, `$ME`/`$LAZY` kept literal) so a stored room
 * config can be compared with a new request by string equality.
 */
export function requiredStateKey(
  entries: readonly RequiredStateEntry[],
  exclude: readonly RequiredStateEntry[] = [],
): string {
  const included = canonical(entries);
  // Without exclusions the key is what it always was, so connections stored before keep their rooms.
  return exclude.length === 0 ? included : `${included}-${canonical(exclude)}`;
}

/**
 * Keys already made, by array: every room of a list shares its list's `required_state`, and an answer
 * asks for the key of each room it looks at (a CPU profile of bench/sync's send → receive measure found
 * 45 % of the engine's samples here, 9 % with this). Parsed requests are not changed after parsing.
 */
const canonicalOf = new WeakMap<readonly RequiredStateEntry[], string>();

function canonical(entries: readonly RequiredStateEntry[]): string {
  const known = canonicalOf.get(entries);
  if (known !== undefined) return known;
  const unique = new Map<string, RequiredStateEntry>();
  // JSON of the pair is an unambiguous identity: no separator character can collide.
  for (const entry of entries) unique.set(JSON.stringify(entry), [entry[0], entry[1]]);
  const key = JSON.stringify([...unique.values()].sort(compareEntries));
  canonicalOf.set(entries, key);
  return key;
}

function compareEntries(a: RequiredStateEntry, b: RequiredStateEntry): number {
  return compareStrings(a[0], b[0]) || compareStrings(a[1], b[1]);
}

/** Code-unit order, not locale order: the result must not depend on the machine. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
