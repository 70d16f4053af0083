import { MatrixError } from '@gateway/matrix';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '@gateway/util';
import { parseSyncQuery } from './parse-query';
import { parseSyncBody } from './parse-sync-body';
import {
  deeplyNested,
  mutate,
  mutateText,
  pick,
  randomString,
  randomValue,
  setOwn,
  type Next,
} from '../../../test/support/json-fuzz';

// Seeded so a failure reproduces; bump SEED locally to explore more of the space.
const SEED = 0x4186;
const ROUNDS = 3000;
const CLIENT_ERRCODES = ['M_BAD_JSON', 'M_MISSING_PARAM', 'M_INVALID_PARAM', 'M_UNKNOWN'];

const ELEMENT_X = {
  conn_id: 'room-list',
  lists: {
    all_rooms: {
      ranges: [[0, 19]],
      timeline_limit: 1,
      filters: {},
      required_state: [
        ['m.room.name', ''],
        ['m.room.encryption', ''],
        ['m.room.member', '$LAZY'],
        ['m.room.member', '$ME'],
        ['org.matrix.msc3401.call.member', '*'],
        ['m.space.child', '*'],
      ],
    },
  },
  extensions: {
    account_data: { enabled: true },
    receipts: { enabled: true, rooms: ['*'] },
    typing: { enabled: true },
  },
};
const JS_SDK = {
  txn_id: 't1',
  lists: {
    room_list: {
      ranges: [[0, 19]],
      timeline_limit: 1,
      required_state: [['m.room.name', '']],
      filters: {
        is_dm: true,
        room_types: [null, 'm.space'],
        tags: ['m.favourite'],
        spaces: ['!s:x'],
        room_name_like: 'a',
      },
    },
  },
  room_subscriptions: { '!a:x': { timeline_limit: 20, required_state: [['*', '*']] } },
  unsubscribe_rooms: ['!b:x'],
  extensions: { to_device: { enabled: true, since: '12', limit: 100 }, e2ee: { enabled: true } },
};
const BASES = [ELEMENT_X, JS_SDK] as const;

/** Field names the parser knows, plus keys that attack prototypes. */
const KEYS = [
  'conn_id',
  'txn_id',
  'lists',
  'ranges',
  'timeline_limit',
  'required_state',
  'filters',
  'is_dm',
  'room_types',
  'tags',
  'spaces',
  'room_subscriptions',
  'unsubscribe_rooms',
  'extensions',
  'to_device',
  'since',
  'limit',
  'enabled',
  'rooms',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  '',
];

function expectClientError(error: unknown): void {
  expect(error).toBeInstanceOf(MatrixError);
  const e = error as MatrixError;
  expect(e.status).toBe(400);
  expect(CLIENT_ERRCODES).toContain(e.errcode);
  expect(e.message.length).toBeLessThan(300);
}

function checkBody(body: unknown): void {
  let request;
  try {
    request = parseSyncBody(body);
  } catch (error) {
    expectClientError(error);
    return;
  }
  // What is accepted keeps the promises downstream code relies on without checking again.
  expect(request.lists).toBeInstanceOf(Map);
  expect(request.lists.size).toBeLessThanOrEqual(100);
  expect(typeof request.connId).toBe('string');
  for (const list of request.lists.values()) {
    expect(
      Number.isInteger(list.timelineLimit) && list.timelineLimit >= 0 && list.timelineLimit <= 1000,
    ).toBe(true);
    for (const bound of list.ranges?.flat() ?? [])
      expect(Number.isSafeInteger(bound) && bound >= 0).toBe(true);
    for (const [type, stateKey] of list.requiredState)
      expect([typeof type, typeof stateKey]).toEqual(['string', 'string']);
  }
  for (const params of request.roomSubscriptions.values())
    expect(params.timelineLimit).toBeLessThanOrEqual(1000);
  const since = request.extensions.toDevice?.since;
  if (since !== undefined) expect(Number.isSafeInteger(since) && since >= 0).toBe(true);
}

function checkQuery(query: Record<string, unknown>): void {
  try {
    const parsed = parseSyncQuery(query);
    expect(parsed.timeoutMs >= 0 && parsed.timeoutMs <= 120_000).toBe(true);
    if (parsed.pos !== undefined)
      expect(Number.isSafeInteger(parsed.pos.position) && parsed.pos.position > 0).toBe(true);
  } catch (error) {
    expectClientError(error);
  }
}

function randomQueryValue(next: Next): unknown {
  const base = pick(next, ['0', '30000', '1', '42', '9007199254740991', '120001', '-5', '']);
  switch (Math.floor(next() * 5)) {
    case 0:
      return randomValue(next, KEYS);
    case 1:
      return [mutateText(base, next), randomString(next)];
    case 2:
      return '9'.repeat(next() < 0.5 ? 17 : 200_000);
    default:
      return mutateText(mutateText(base, next), next);
  }
}

const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

describe('MSC4186 request parsing under random input', () => {
  afterAll(() => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
  });

  it('answers only 400 client errors for structural mutations of real bodies', () => {
    const next = seededRandom(SEED);
    for (let i = 0; i < ROUNDS; i++) {
      let body: unknown = structuredClone(pick(next, BASES));
      for (let m = 1 + Math.floor(next() * 4); m > 0; m--) body = mutate(body, next, KEYS);
      checkBody(body);
      expect(({} as Record<string, unknown>).timeline_limit).toBeUndefined();
    }
  });

  it('answers only 400 client errors for byte-level mutations of real bodies', () => {
    const next = seededRandom(SEED + 1);
    const texts = BASES.map((base) => JSON.stringify(base));
    for (let i = 0; i < ROUNDS; i++) {
      let text = pick(next, texts);
      for (let m = 1 + Math.floor(next() * 3); m > 0; m--) text = mutateText(text, next);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        continue; // Unparseable text never reaches the parser: Fastify answers it first.
      }
      checkBody(body);
    }
  });

  it('answers only 400 client errors for random query strings', () => {
    const next = seededRandom(SEED + 2);
    for (let i = 0; i < ROUNDS; i++) {
      const query: Record<string, unknown> = {};
      if (next() < 0.8) setOwn(query, 'timeout', randomQueryValue(next));
      if (next() < 0.8) setOwn(query, 'pos', randomQueryValue(next));
      if (next() < 0.1) setOwn(query, '__proto__', { pos: '1', timeout: '1' });
      checkQuery(query);
    }
  });

  it('survives pathological shapes', () => {
    const next = seededRandom(SEED + 3);
    checkBody(deeplyNested(next));
    checkBody({ lists: { all: { timeline_limit: 1, filters: deeplyNested(next) } } });
    checkBody({ extensions: { to_device: deeplyNested(next), unknown: deeplyNested(next) } });
    checkBody({ lists: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [String(i), {}])) });
    checkBody({ unsubscribe_rooms: Array.from({ length: 100_000 }, () => 'x'.repeat(100)) });
    checkBody(JSON.parse('{"__proto__":{"lists":{}},"lists":{"__proto__":{"timeline_limit":1}}}'));
  });
});
