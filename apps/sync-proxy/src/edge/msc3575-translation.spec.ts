import { describe, expect, it } from 'vitest';
import { MatrixError } from '@gateway/matrix';
import { seededRandom } from '@gateway/util';
import type { ListOp, SyncResponse } from '../sliding-sync/protocol/sync-response';
import { Msc3575Translation } from './msc3575-translation';

const list = { ranges: [[0, 9]], required_state: [['m.room.name', '']], timeline_limit: 5 };

function response(roomIds: string[]): SyncResponse {
  return {
    pos: '2',
    lists: { a: { count: roomIds.length, ops: [{ op: 'SYNC', range: [0, 9], room_ids: roomIds }] } },
    rooms: { '!r:hs': { notification_count: 0, highlight_count: 0, bump_stamp: 42 } },
    extensions: {},
  };
}

describe('Msc3575Translation (MSC3575 over the MSC4186 engine)', () => {
  it('keeps list fields and extensions the client omits, and removes deleted lists', () => {
    const first = new Msc3575Translation({ lists: { a: list }, extensions: { e2ee: { enabled: true } } });
    const req1 = first.resolve(undefined);
    const stored = first.finish(response(['!r:hs']), undefined).store;
    expect(first.mustAnswer()).toBe(true);

    const second = new Msc3575Translation({ lists: { a: { ranges: [[0, 19]] } } });
    const req2 = second.resolve(stored);
    expect(req2.lists.get('a')).toEqual({ ...req1.lists.get('a'), ranges: [[0, 19]] });
    expect(req2.extensions.e2ee).toEqual({ enabled: true });
    expect(second.mustAnswer()).toBe(true);

    const same = new Msc3575Translation({});
    same.resolve(stored);
    expect(same.mustAnswer()).toBe(false);

    const deleted = new Msc3575Translation({ lists: { a: { deleted: true } } });
    expect(deleted.resolve(stored).lists.size).toBe(0);
  });

  it('defaults timeline_limit to 20 and caps it at 50, as the Go proxy did', () => {
    const noLimit = new Msc3575Translation({ lists: { a: { ranges: [[0, 1]] } } });
    expect(noLimit.resolve(undefined).lists.get('a')?.timelineLimit).toBe(20);
    const big = new Msc3575Translation({ lists: { a: { ranges: [[0, 1]], timeline_limit: 500 } } });
    expect(big.resolve(undefined).lists.get('a')?.timelineLimit).toBe(50);
  });

  it('sends list operations only when a window changed, and timestamp next to bump_stamp', () => {
    const source = new Msc3575Translation({ lists: { a: list } });
    source.resolve(undefined);
    const first = source.finish(response(['!r:hs', '!s:hs']), undefined);
    expect(first.response.lists['a']?.ops).toHaveLength(1);
    expect(first.response.rooms['!r:hs']?.timestamp).toBe(42);
    const again = source.finish(response(['!r:hs', '!s:hs']), first.store);
    expect(again.response.lists['a']).toEqual({ count: 2 });
    const moved = source.finish(response(['!s:hs', '!r:hs']), first.store);
    expect(moved.response.lists['a']?.ops).toEqual([
      { op: 'DELETE', index: 1 },
      { op: 'INSERT', index: 0, room_id: '!s:hs' },
    ]);
    // A window of another size is sent whole.
    const grown = source.finish(response(['!t:hs', '!r:hs', '!s:hs']), first.store);
    expect(grown.response.lists['a']?.ops).toEqual([
      { op: 'SYNC', range: [0, 9], room_ids: ['!t:hs', '!r:hs', '!s:hs'] },
    ]);
  });

  it('moves rooms with DELETE/INSERT pairs that a client applying them gap-wise turns into the new window', () => {
    // How MSC3575 clients (matrix-js-sdk's SlidingSync) apply them: DELETE leaves a gap, INSERT shifts
    // the rooms between the gap and its index towards the gap.
    const apply = (window: string[], ops: readonly ListOp[]): string[] => {
      const out = [...window];
      let gap = -1;
      for (const op of ops) {
        if (op.op === 'DELETE') gap = op.index;
        else if (op.op === 'INSERT') {
          out.splice(gap, 1);
          out.splice(op.index, 0, op.room_id);
          gap = -1;
        }
      }
      return out;
    };
    const random = seededRandom(7);
    const pick = (n: number) => Math.floor(random() * n);
    const source = new Msc3575Translation({ lists: { a: list } });
    source.resolve(undefined);
    for (let trial = 0; trial < 500; trial++) {
      const before = Array.from({ length: 6 }, (_, i) => `!${String(i)}:hs`);
      const after = [...before];
      // A few bumps to the top, a room leaving and another entering.
      for (let n = pick(4); n > 0; n--) after.unshift(...after.splice(pick(after.length), 1));
      if (random() < 0.5) after.splice(pick(after.length), 1, `!new${String(trial)}:hs`);
      const first = source.finish(response(before), undefined);
      const next = source.finish(response(after), first.store);
      const ops = next.response.lists['a']?.ops ?? [];
      if (JSON.stringify(before) === JSON.stringify(after)) expect(ops).toEqual([]);
      else {
        expect(ops.every((op) => op.op !== 'SYNC')).toBe(true);
        expect(apply(before, ops)).toEqual(after);
      }
    }
  });

  it('sorts a list as its sort asks, keeps the sort sticky, and refuses an unknown order', () => {
    const named = new Msc3575Translation({
      lists: { a: { ...list, sort: ['by_notification_level', 'by_name'] } },
    });
    const req = named.resolve(undefined);
    expect(req.lists.get('a')?.sort).toEqual(['by_notification_level', 'by_name']);
    const stored = named.finish(response([]), undefined).store;
    const later = new Msc3575Translation({ lists: { a: { ranges: [[0, 3]] } } });
    expect(later.resolve(stored).lists.get('a')?.sort).toEqual(['by_notification_level', 'by_name']);
    const bad = new Msc3575Translation({ lists: { a: { ...list, sort: ['by_mood'] } } });
    expect(() => bad.resolve(undefined)).toThrow(expect.objectContaining({ errcode: 'M_INVALID_PARAM' }));
  });

  it('answers malformed bodies with M_BAD_JSON', () => {
    expect(() => new Msc3575Translation([])).toThrow(MatrixError);
    expect(() => new Msc3575Translation({ conn_id: 5 })).toThrow(MatrixError);
    expect(() => new Msc3575Translation({ lists: [] }).resolve(undefined)).toThrow(MatrixError);
    expect(() => new Msc3575Translation({ lists: { a: 'x' } }).resolve(undefined)).toThrow(MatrixError);
  });
});
