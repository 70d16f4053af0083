import type { V2Batch } from '@gateway/sync-data';
import { describe, expect, it } from 'vitest';
import { accumulate } from './accumulate';
import { pollLagSeconds } from './poll-lag';

const NOW = 1_700_000_010_000;

function message(eventId: string, ts: number): Record<string, unknown> {
  return {
    type: 'm.room.message',
    sender: '@bob:example.org',
    event_id: eventId,
    origin_server_ts: ts,
    content: { msgtype: 'm.text', body: eventId },
  };
}

/** A /sync v2 response with the given timeline events per joined room. */
function batchOf(rooms: Record<string, Record<string, unknown>[]>): V2Batch {
  return accumulate({
    next_batch: 's2',
    rooms: {
      join: Object.fromEntries(
        Object.entries(rooms).map(([id, events]) => [id, { timeline: { events, limited: false } }]),
      ),
    },
  });
}

describe('pollLagSeconds', () => {
  it('observes nothing for a batch without timeline events', () => {
    expect(pollLagSeconds(accumulate({ next_batch: 's2' }), false, NOW)).toBeUndefined();
    const onlyToDevice = accumulate({
      next_batch: 's2',
      to_device: { events: [{ type: 'm.room_key', sender: '@bob:example.org', content: {} }] },
    });
    expect(pollLagSeconds(onlyToDevice, false, NOW)).toBeUndefined();
    expect(pollLagSeconds(batchOf({ '!a:example.org': [] }), false, NOW)).toBeUndefined();
  });

  it('counts the newest event across rooms', () => {
    const batch = batchOf({
      '!a:example.org': [message('$a1', NOW - 5_000), message('$a2', NOW - 3_000)],
      '!b:example.org': [message('$b1', NOW - 250)],
      '!c:example.org': [message('$c1', NOW - 60_000)],
    });
    expect(pollLagSeconds(batch, false, NOW)).toBeCloseTo(0.25, 9);
  });

  it('keeps sub-millisecond wall time', () => {
    const batch = batchOf({ '!a:example.org': [message('$a1', NOW)] });
    expect(pollLagSeconds(batch, false, NOW + 1.5)).toBeCloseTo(0.0015, 9);
  });

  it('observes nothing for a first sync, whose timelines are history', () => {
    const batch = batchOf({ '!a:example.org': [message('$a1', NOW - 3_600_000)] });
    expect(pollLagSeconds(batch, true, NOW)).toBeUndefined();
  });

  it('clamps an event from the future (clock skew) at 0', () => {
    const batch = batchOf({
      '!a:example.org': [message('$a1', NOW - 2_000)],
      '!b:example.org': [message('$b1', NOW + 800)],
    });
    expect(pollLagSeconds(batch, false, NOW)).toBe(0);
  });
});
