import { describe, expect, it } from 'vitest';
import { applyRanges } from './ranges';

const ten = Array.from({ length: 10 }, (_, i) => `!r${i}`);

describe(applyRanges.name, () => {
  it('returns no ops and selects nothing without ranges', () => {
    expect(applyRanges(ten, undefined)).toEqual({ ops: [], selected: new Set() });
    expect(applyRanges(ten, [])).toEqual({ ops: [], selected: new Set() });
  });

  it('is inclusive at both ends', () => {
    const { ops, selected } = applyRanges(ten, [[2, 4]]);
    expect(ops).toEqual([{ op: 'SYNC', range: [2, 4], room_ids: ['!r2', '!r3', '!r4'] }]);
    expect([...selected]).toEqual(['!r2', '!r3', '!r4']);
    expect(applyRanges(ten, [[3, 3]]).ops[0]?.room_ids).toEqual(['!r3']);
  });

  it('clamps to the list but echoes the requested range (Synapse: [0,19] over one room)', () => {
    expect(applyRanges(['!only'], [[0, 19]]).ops).toEqual([
      { op: 'SYNC', range: [0, 19], room_ids: ['!only'] },
    ]);
    expect(applyRanges(ten, [[8, 99]]).ops).toEqual([
      { op: 'SYNC', range: [8, 99], room_ids: ['!r8', '!r9'] },
    ]);
  });

  it('still sends an op for a range past the end, or over an empty list', () => {
    expect(applyRanges(ten, [[20, 29]]).ops).toEqual([{ op: 'SYNC', range: [20, 29], room_ids: [] }]);
    const empty = applyRanges([], [[0, 19]]);
    expect(empty.ops).toEqual([{ op: 'SYNC', range: [0, 19], room_ids: [] }]);
    expect(empty.selected.size).toBe(0);
  });

  it('gives an end below its start no rooms, keeping the range as requested', () => {
    const { ops, selected } = applyRanges(ten, [[5, 2]]);
    expect(ops).toEqual([{ op: 'SYNC', range: [5, 2], room_ids: [] }]);
    expect(selected.size).toBe(0);
  });

  it('sends one op per range in request order and selects their union', () => {
    const { ops, selected } = applyRanges(ten, [
      [6, 7],
      [0, 1],
      [1, 2],
    ]);
    expect(ops.map((o) => o.room_ids)).toEqual([
      ['!r6', '!r7'],
      ['!r0', '!r1'],
      ['!r1', '!r2'],
    ]);
    expect(ops.map((o) => o.range)).toEqual([
      [6, 7],
      [0, 1],
      [1, 2],
    ]);
    expect([...selected].sort()).toEqual(['!r0', '!r1', '!r2', '!r6', '!r7']);
  });

  it('never slices from the end for a negative start', () => {
    expect(applyRanges(ten, [[-2, 1]]).ops[0]?.room_ids).toEqual(['!r0', '!r1']);
  });
});
