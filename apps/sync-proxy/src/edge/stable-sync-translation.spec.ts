import { describe, expect, it } from 'vitest';
import { MatrixError } from '@gateway/matrix';
import type { SyncResponse } from '../sliding-sync/protocol/sync-response';
import { StableSyncTranslation } from './stable-sync-translation';

const STATE = { include: [{ type: 'm.room.name', state_key: '' }], lazy_members: true };

function errcode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MatrixError);
    expect((error as MatrixError).status).toBe(400);
    return (error as MatrixError).errcode;
  }
  throw new Error('no error');
}

const resolve = (body: unknown, stored?: unknown) => new StableSyncTranslation(body).resolve(stored);

describe('the stable MSC4186 request onto the engine', () => {
  it('reads pos, timeout and set_presence from the body', () => {
    const t = new StableSyncTranslation({ pos: '42', timeout: 30_000, set_presence: 'unavailable' });
    expect(t.query()).toEqual({ pos: { position: 42 }, timeoutMs: 30_000 });
    expect(t.setPresence).toBe('unavailable');
    expect(new StableSyncTranslation({}).query()).toEqual({ pos: undefined, timeoutMs: 0 });
    expect(new StableSyncTranslation({}).setPresence).toBe('online');
    expect(new StableSyncTranslation({ timeout: 10 ** 9 }).query().timeoutMs).toBe(120_000);
  });

  it('answers bad top-level fields with the proposal errors', () => {
    expect(errcode(() => new StableSyncTranslation({ set_presence: 'busy' }))).toBe('M_INVALID_PARAM');
    expect(errcode(() => new StableSyncTranslation({ set_presence: 1 }))).toBe('M_INVALID_PARAM');
    expect(errcode(() => new StableSyncTranslation({ pos: 'x1' }))).toBe('M_UNKNOWN_POS');
    expect(errcode(() => new StableSyncTranslation({ pos: 7 }))).toBe('M_BAD_JSON');
    expect(errcode(() => new StableSyncTranslation({ timeout: '1' }))).toBe('M_BAD_JSON');
    expect(errcode(() => new StableSyncTranslation({ timeout: -1 }))).toBe('M_INVALID_PARAM');
    expect(errcode(() => new StableSyncTranslation([]))).toBe('M_BAD_JSON');
  });

  it('maps range, required_state and is_invited', () => {
    const req = resolve({
      lists: {
        a: {
          range: [0, 9],
          timeline_limit: 3,
          required_state: {
            include: [
              { type: 'm.room.create', state_key: '' },
              { type: 'm.room.member' },
              { state_key: 'k' },
              {},
            ],
            exclude: [{ type: 'm.room.member', state_key: '@bob:hs' }],
            lazy_members: true,
          },
          filters: { is_invited: true, is_invite: false, room_name_like: 'x' },
        },
        everything: { timeline_limit: 0, required_state: {} },
      },
    });
    const a = req.lists.get('a');
    expect(a?.ranges).toEqual([[0, 9]]);
    expect(a?.requiredState).toEqual([
      ['m.room.create', ''],
      ['m.room.member', '*'],
      ['*', 'k'],
      ['*', '*'],
      ['m.room.member', '$LAZY'],
    ]);
    expect(a?.excludeState).toEqual([['m.room.member', '@bob:hs']]);
    // `is_invite` and `room_name_like` are not stable fields: ignored, as unknown fields are.
    expect(a?.filters).toEqual({ isInvite: true });
    // No range: the whole filtered list.
    expect(req.lists.get('everything')?.ranges).toEqual([[0, Number.MAX_SAFE_INTEGER]]);
    expect(req.lists.get('everything')?.requiredState).toEqual([]);
  });

  it('requires timeline_limit and required_state', () => {
    expect(errcode(() => resolve({ lists: { a: { required_state: {} } } }))).toBe('M_MISSING_PARAM');
    expect(errcode(() => resolve({ lists: { a: { timeline_limit: 1 } } }))).toBe('M_MISSING_PARAM');
    expect(errcode(() => resolve({ room_subscriptions: { '!r:hs': { timeline_limit: 1 } } }))).toBe(
      'M_MISSING_PARAM',
    );
    expect(
      errcode(() => resolve({ lists: { a: { timeline_limit: 1, required_state: [['*', '*']] } } })),
    ).toBe('M_BAD_JSON');
    expect(
      errcode(() =>
        resolve({ lists: { a: { timeline_limit: 1, required_state: {}, ranges: [[0, 1]], range: [0] } } }),
      ),
    ).toBe('M_MISSING_PARAM');
    expect(
      errcode(() =>
        resolve({ lists: { a: { timeline_limit: 1, required_state: { include: [{ type: 1 }] } } } }),
      ),
    ).toBe('M_BAD_JSON');
  });

  it('limits lists and room subscriptions to 100 each, with M_INVALID_PARAM', () => {
    const config = { timeline_limit: 1, required_state: {} };
    const many = (n: number, key: (i: number) => string) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [key(i), config]));
    expect(
      resolve({ room_subscriptions: many(100, (i) => `!r${String(i)}:hs`) }).roomSubscriptions.size,
    ).toBe(100);
    expect(errcode(() => resolve({ room_subscriptions: many(101, (i) => `!r${String(i)}:hs`) }))).toBe(
      'M_INVALID_PARAM',
    );
    expect(resolve({ lists: many(100, (i) => `l${String(i)}`) }).lists.size).toBe(100);
    expect(errcode(() => resolve({ lists: many(101, (i) => `l${String(i)}`) }))).toBe('M_INVALID_PARAM');
    // List keys are opaque identifiers: up to 255 of [0-9A-Za-z._~-].
    expect(resolve({ lists: { ['a'.repeat(255)]: config } }).lists.size).toBe(1);
    expect(errcode(() => resolve({ lists: { ['a'.repeat(256)]: config } }))).toBe('M_INVALID_PARAM');
    expect(errcode(() => resolve({ lists: { 'a b': config } }))).toBe('M_INVALID_PARAM');
  });

  it('makes a request’s subscriptions the whole set: rooms no longer named are unsubscribed', () => {
    const config = { timeline_limit: 1, required_state: STATE };
    const first = new StableSyncTranslation({ room_subscriptions: { '!a:hs': config, '!b:hs': config } });
    first.resolve(undefined);
    const { store } = first.finish({ pos: '1', lists: {}, rooms: {}, extensions: {} });
    const next = resolve({ room_subscriptions: { '!b:hs': config } }, store);
    expect([...next.roomSubscriptions.keys()]).toEqual(['!b:hs']);
    expect(next.unsubscribeRooms).toEqual(['!a:hs']);
    expect(resolve({}, store).unsubscribeRooms).toEqual(['!a:hs', '!b:hs']);
  });

  it('answers in the stable shape', () => {
    const t = new StableSyncTranslation({});
    t.resolve(undefined);
    const engine: SyncResponse = {
      pos: '5',
      txn_id: 't',
      lists: { a: { count: 2, ops: [{ op: 'SYNC', range: [0, 1], room_ids: ['!j:hs', '!i:hs'] }] } },
      rooms: {
        '!j:hs': {
          notification_count: 1,
          highlight_count: 0,
          membership: 'join',
          initial: true,
          unstable_expanded_timeline: true,
          timeline: [],
        },
        '!i:hs': {
          notification_count: 0,
          highlight_count: 0,
          membership: 'invite',
          invite_state: [{ type: 'm.room.name', state_key: '', sender: '@a:hs', content: { name: 'n' } }],
        },
        '!s:hs': { notification_count: 0, highlight_count: 0, membership: 'join', timeline: [] },
      },
      extensions: { typing: {} },
    };
    expect(t.finish(engine).response).toEqual({
      pos: '5',
      lists: { a: { count: 2 } },
      rooms: {
        '!j:hs': { membership: 'join', initial: true, expanded_timeline: true, timeline: [], lists: ['a'] },
        '!i:hs': {
          membership: 'invite',
          stripped_state: [{ type: 'm.room.name', state_key: '', sender: '@a:hs', content: { name: 'n' } }],
          lists: ['a'],
        },
        // Only in the response through a subscription: no `lists`.
        '!s:hs': { membership: 'join', timeline: [] },
      },
      extensions: { typing: {} },
    });
  });
});
