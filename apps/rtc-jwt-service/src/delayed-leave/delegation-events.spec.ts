import { describe, expect, it } from 'vitest';
import { delegation } from '../../test/fakes/delayed-leave-fakes';
import { onParticipantJoined, onParticipantLeft } from './delegation-events';
import { connected, disconnected, newRecord } from './delegation-record';
import { DEFAULT_TIMING } from './timing';

const waiting = newRecord('d1', delegation({ delayTimeoutMs: 10_000 }), 0, DEFAULT_TIMING);
const live = connected(waiting, 1_000, DEFAULT_TIMING);
const gone = disconnected(live, 2_000, DEFAULT_TIMING);

describe('webhook transitions', () => {
  it('joined: waiting → connected with an immediate restart; otherwise nothing', () => {
    expect(onParticipantJoined(waiting, 500, DEFAULT_TIMING)).toMatchObject({
      kind: 'update',
      record: { phase: 'connected', nextRestartAt: 500, nextAt: 500 },
    });
    expect(onParticipantJoined(live, 500, DEFAULT_TIMING)).toBeNull();
    expect(onParticipantJoined(gone, 500, DEFAULT_TIMING)).toBeNull();
  });

  it('left while waiting: aborted unless client initiated, which is ignored', () => {
    expect(onParticipantLeft(waiting, false, 500, DEFAULT_TIMING)).toEqual({ kind: 'abort' });
    expect(onParticipantLeft(waiting, true, 500, DEFAULT_TIMING)).toBeNull();
  });

  it('left or aborted while connected: send the leave now', () => {
    for (const clientInitiated of [true, false]) {
      expect(onParticipantLeft(live, clientInitiated, 3_000, DEFAULT_TIMING)).toMatchObject({
        kind: 'update',
        record: { phase: 'disconnected', nextAt: 3_000, sendUntil: 10_000 },
      });
    }
  });

  it('anything after the leave is underway changes nothing', () => {
    expect(onParticipantLeft(gone, true, 3_000, DEFAULT_TIMING)).toBeNull();
  });
});
