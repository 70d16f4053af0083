import { MatrixError } from '@gateway/matrix';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '@gateway/util';
import { deeplyNested, mutate, mutateText, pick } from '../../test/support/json-fuzz';
import { StableSyncTranslation } from './stable-sync-translation';

// The stable API's body (pos and timeout included) under the same mutations as the unstable parser's
// fuzz test (sliding-sync/protocol/parse-sync-body.fuzz.spec.ts): only 400 client errors, and what is
// accepted keeps the engine's promises.
const SEED = 0x4186_0004;
const ROUNDS = 3000;
const CLIENT_ERRCODES = ['M_BAD_JSON', 'M_MISSING_PARAM', 'M_INVALID_PARAM', 'M_UNKNOWN_POS'];

const ELEMENT_X = {
  conn_id: 'room-list',
  pos: '12',
  timeout: 30_000,
  set_presence: 'online',
  lists: {
    all_rooms: {
      range: [0, 19],
      timeline_limit: 1,
      filters: { is_invited: false, not_room_types: ['m.space'] },
      required_state: {
        include: [
          { type: 'm.room.name', state_key: '' },
          { type: 'm.room.encryption', state_key: '' },
          { type: 'm.room.member', state_key: '@me:hs' },
          { type: 'org.matrix.msc3401.call.member' },
        ],
        lazy_members: true,
      },
    },
  },
  room_subscriptions: {
    '!a:x': { timeline_limit: 20, required_state: { include: [{}], exclude: [{ type: 'm.room.create' }] } },
  },
  extensions: {
    account_data: { enabled: true },
    receipts: { enabled: true, rooms: ['*'] },
    typing: { enabled: true },
    to_device: { enabled: true, since: '12', limit: 100 },
  },
};
const BASES = [ELEMENT_X, { lists: { a: { timeline_limit: 0, required_state: {} } } }] as const;

const KEYS = [
  'conn_id',
  'pos',
  'timeout',
  'set_presence',
  'lists',
  'range',
  'timeline_limit',
  'required_state',
  'include',
  'exclude',
  'lazy_members',
  'type',
  'state_key',
  'filters',
  'is_invited',
  'room_subscriptions',
  'extensions',
  'enabled',
  '__proto__',
  'constructor',
  '',
];

function check(body: unknown): void {
  let request;
  try {
    const translation = new StableSyncTranslation(body);
    const query = translation.query();
    expect(query.timeoutMs >= 0 && query.timeoutMs <= 120_000).toBe(true);
    if (query.pos !== undefined) expect(Number.isSafeInteger(query.pos.position)).toBe(true);
    request = translation.resolve(undefined);
  } catch (error) {
    expect(error).toBeInstanceOf(MatrixError);
    const e = error as MatrixError;
    expect(e.status).toBe(400);
    expect(CLIENT_ERRCODES).toContain(e.errcode);
    expect(e.message.length).toBeLessThan(300);
    return;
  }
  expect(request.lists.size).toBeLessThanOrEqual(100);
  expect(request.roomSubscriptions.size).toBeLessThanOrEqual(100);
  for (const params of [...request.lists.values(), ...request.roomSubscriptions.values()]) {
    for (const [type, stateKey] of [...params.requiredState, ...(params.excludeState ?? [])])
      expect([typeof type, typeof stateKey]).toEqual(['string', 'string']);
  }
  for (const list of request.lists.values())
    for (const bound of list.ranges?.flat() ?? [])
      expect(Number.isSafeInteger(bound) && bound >= 0).toBe(true);
}

const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

describe('stable MSC4186 request parsing under random input', () => {
  afterAll(() => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
  });

  it('answers only 400 client errors for structural mutations of real bodies', () => {
    const next = seededRandom(SEED);
    for (let i = 0; i < ROUNDS; i++) {
      let body: unknown = structuredClone(pick(next, BASES));
      for (let m = 1 + Math.floor(next() * 4); m > 0; m--) body = mutate(body, next, KEYS);
      check(body);
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
      check(body);
    }
  });

  it('survives pathological shapes', () => {
    const next = seededRandom(SEED + 2);
    check(deeplyNested(next));
    check({ lists: { a: { timeline_limit: 1, required_state: { include: deeplyNested(next) } } } });
    check({ lists: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [String(i), {}])) });
    check({
      room_subscriptions: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [String(i), {}])),
    });
    check(
      JSON.parse('{"__proto__":{"lists":{}},"lists":{"__proto__":{"timeline_limit":1,"required_state":{}}}}'),
    );
  });
});
