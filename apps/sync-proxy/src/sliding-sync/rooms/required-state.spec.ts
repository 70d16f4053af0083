import type { StateEvent } from '@gateway/sync-data';
import { describe, expect, it } from 'vitest';
import type { RequiredStateEntry } from '../protocol/sync-request';
import {
  compileRequiredState,
  lazyMembersFor,
  requiredStateKey,
  selectRequiredState,
} from './required-state';

const ME = '@me:hs';

function ev(type: string, stateKey: string, id = `$${type}/${stateKey}`): StateEvent {
  return { type, state_key: stateKey, event_id: id, sender: '@x:hs', origin_server_ts: 0, content: {} };
}

const compile = (...entries: RequiredStateEntry[]) => compileRequiredState(entries, ME);

describe(compileRequiredState.name, () => {
  it('matches nothing for an empty list', () => {
    const m = compile();
    expect(m.matches('m.room.name', '')).toBe(false);
    expect(m.wantsAll()).toBe(false);
    expect(m.lazyMembers).toBe(false);
    expect(m.wantsAllMembers).toBe(false);
    expect(m.pairs).toEqual([]);
  });

  it('matches exact (type, key) pairs only', () => {
    const m = compile(['m.room.name', ''], ['m.room.topic', '']);
    expect(m.matches('m.room.name', '')).toBe(true);
    expect(m.matches('m.room.topic', '')).toBe(true);
    expect(m.matches('m.room.name', 'x')).toBe(false);
    expect(m.matches('m.room.avatar', '')).toBe(false);
  });

  it('["*","*"] wants all state, whatever else is listed', () => {
    const m = compile(['m.room.name', ''], ['*', '*']);
    expect(m.wantsAll()).toBe(true);
    expect(m.wantsAllMembers).toBe(true);
    expect(m.matches('anything', 'at all')).toBe(true);
    expect(m.matches('m.room.member', '@someone:hs')).toBe(true);
  });

  it('[type,"*"] wants every key of that type', () => {
    const m = compile(['m.space.child', '*']);
    expect(m.matches('m.space.child', '!a:hs')).toBe(true);
    expect(m.matches('m.space.child', '')).toBe(true);
    expect(m.matches('m.space.parent', '!a:hs')).toBe(false);
    expect(m.anyKeyTypes).toEqual(['m.space.child']);
    expect(m.wantsAll()).toBe(false);
  });

  it('["*",key] wants that key in every type', () => {
    const m = compile(['*', '@alice:hs']);
    expect(m.matches('m.room.member', '@alice:hs')).toBe(true);
    expect(m.matches('org.example.profile', '@alice:hs')).toBe(true);
    expect(m.matches('m.room.member', '@bob:hs')).toBe(false);
    expect(m.anyTypeKeys).toEqual(['@alice:hs']);
  });

  it('resolves $ME to the requesting user in exact and wildcard-type entries', () => {
    const m = compile(['m.room.member', '$ME'], ['*', '$ME']);
    expect(m.matches('m.room.member', ME)).toBe(true);
    expect(m.matches('org.example.status', ME)).toBe(true);
    expect(m.matches('m.room.member', '$ME')).toBe(false);
    expect(m.pairs).toEqual([['m.room.member', ME]]);
    expect(m.anyTypeKeys).toEqual([ME]);
  });

  it('$LAZY sets lazyMembers and matches nothing by itself', () => {
    const m = compile(['m.room.member', '$LAZY']);
    expect(m.lazyMembers).toBe(true);
    expect(m.wantsAllMembers).toBe(false);
    expect(m.matches('m.room.member', '$LAZY')).toBe(false);
    expect(m.matches('m.room.member', '@alice:hs')).toBe(false);
    expect(m.pairs).toEqual([]);
  });

  it('$LAZY is only special for m.room.member', () => {
    const m = compile(['org.example', '$LAZY']);
    expect(m.lazyMembers).toBe(false);
    expect(m.matches('org.example', '$LAZY')).toBe(true);
  });

  it('["m.room.member","*"] wants all members', () => {
    const m = compile(['m.room.member', '*'], ['m.room.member', '$LAZY']);
    expect(m.wantsAllMembers).toBe(true);
    expect(m.lazyMembers).toBe(true);
    expect(m.wantsAll()).toBe(false);
    expect(m.matches('m.room.member', '@anyone:hs')).toBe(true);
  });

  it('ORs entries and lists concrete pairs sorted and deduplicated', () => {
    const m = compile(
      ['m.room.topic', ''],
      ['m.room.name', ''],
      ['m.room.member', '$ME'],
      ['m.room.name', ''],
      ['m.room.member', ME],
      ['m.space.parent', '*'],
      ['m.space.child', '*'],
    );
    expect(m.pairs).toEqual([
      ['m.room.member', ME],
      ['m.room.name', ''],
      ['m.room.topic', ''],
    ]);
    expect(m.anyKeyTypes).toEqual(['m.space.child', 'm.space.parent']);
    expect(m.matches('m.space.parent', '!p:hs')).toBe(true);
    expect(m.matches('m.room.topic', '')).toBe(true);
  });

  it('keeps type names like __proto__ as plain data', () => {
    const m = compile(['__proto__', ''], ['constructor', '*']);
    expect(m.matches('__proto__', '')).toBe(true);
    expect(m.matches('toString', '')).toBe(false);
    expect(m.matches('constructor', 'x')).toBe(true);
  });
});

describe(selectRequiredState.name, () => {
  const state = [
    ev('m.room.create', ''),
    ev('m.room.name', ''),
    ev('m.room.member', ME),
    ev('m.room.member', '@alice:hs'),
    ev('m.room.member', '@bob:hs'),
    ev('m.space.child', '!c1:hs'),
    ev('m.space.child', '!c2:hs'),
  ];
  const types = (events: readonly StateEvent[]) => events.map((e) => `${e.type}|${e.state_key}`);

  it('keeps matching events in the order given', () => {
    const m = compile(['m.space.child', '*'], ['m.room.name', ''], ['m.room.member', '$ME']);
    expect(types(selectRequiredState(state, m, new Set()))).toEqual([
      'm.room.name|',
      `m.room.member|${ME}`,
      'm.space.child|!c1:hs',
      'm.space.child|!c2:hs',
    ]);
  });

  it('adds the member events of lazy users, and only member events', () => {
    const m = compile(['m.room.name', ''], ['m.room.member', '$LAZY']);
    const withLazy = selectRequiredState(state, m, new Set(['@bob:hs', '!c1:hs', '@nobody:hs']));
    expect(types(withLazy)).toEqual(['m.room.name|', 'm.room.member|@bob:hs']);
  });

  it('returns everything for ["*","*"]', () => {
    expect(selectRequiredState(state, compile(['*', '*']), new Set())).toEqual(state);
  });

  it('sends each (type, key) once, the first occurrence winning', () => {
    const m = compile(['m.room.member', '$ME'], ['m.room.member', '$LAZY']);
    const first = ev('m.room.member', '@alice:hs', '$first');
    const again = ev('m.room.member', '@alice:hs', '$again');
    const out = selectRequiredState([first, ev('m.room.member', ME), again], m, new Set(['@alice:hs', ME]));
    expect(out.map((e) => e.event_id)).toEqual(['$first', `$m.room.member/${ME}`]);
  });

  it('matches nothing with an empty config and no lazy users', () => {
    expect(selectRequiredState(state, compile(), new Set())).toEqual([]);
  });
});

describe(lazyMembersFor.name, () => {
  it('collects senders and the targets of membership events', () => {
    const users = lazyMembersFor([
      { sender: '@alice:hs', type: 'm.room.message' },
      { sender: '@alice:hs', type: 'm.room.message' },
      { sender: '@mod:hs', type: 'm.room.member', state_key: '@spammer:hs' },
      { sender: '@bob:hs', type: 'm.room.topic', state_key: '' },
    ]);
    expect([...users].sort()).toEqual(['@alice:hs', '@bob:hs', '@mod:hs', '@spammer:hs']);
  });

  it('is empty for an empty timeline', () => {
    expect(lazyMembersFor([]).size).toBe(0);
  });
});

describe(requiredStateKey.name, () => {
  it('ignores order and duplicates', () => {
    const a = requiredStateKey([
      ['m.room.name', ''],
      ['m.room.member', '$LAZY'],
      ['m.room.name', ''],
    ]);
    const b = requiredStateKey([
      ['m.room.member', '$LAZY'],
      ['m.room.name', ''],
    ]);
    expect(a).toBe(b);
    expect(a).toBe('[["m.room.member","$LAZY"],["m.room.name",""]]');
  });

  it('tells different configs apart', () => {
    expect(requiredStateKey([['m.room.name', '']])).not.toBe(requiredStateKey([['m.room.name', '*']]));
    expect(requiredStateKey([['a', 'b,c']])).not.toBe(requiredStateKey([['a,b', 'c']]));
    expect(requiredStateKey([])).toBe('[]');
  });
});

describe('required_state exclusions (the stable API)', () => {
  it('removes what exclude matches from what the entries match, and keys configs apart', () => {
    const m = compileRequiredState([['*', '*']], '@me:hs', [['m.room.create', '']]);
    expect(m.matches('m.room.create', '')).toBe(false);
    expect(m.matches('m.room.name', '')).toBe(true);
    expect(m.wantsAll()).toBe(false);
    expect(requiredStateKey([['*', '*']], [['m.room.create', '']])).not.toBe(requiredStateKey([['*', '*']]));
    expect(requiredStateKey([['*', '*']], [])).toBe(requiredStateKey([['*', '*']]));
  });
});
