import type { V2Batch } from '@gateway/sync-data';

/**
 * How far behind the homeserver a live poll is, in seconds: `nowMs` (wall clock, ms since the epoch, when
 * the response body was in hand) minus the newest `origin_server_ts` among the batch's timeline events.
 * The homeserver stamps an event with its own wall clock when it creates it, so across hosts this
 * includes the clocks' skew; a negative value (an event "from the future") counts as 0. Undefined when
 * there is nothing to measure: a first sync (`initial`; its timelines are history, not news) or a batch
 * without timeline events.
 */
export function pollLagSeconds(batch: V2Batch, initial: boolean, nowMs: number): number | undefined {
  if (initial) return undefined;
  let newest = -Infinity;
  for (const room of batch.rooms)
    for (const event of room.timeline.events)
      if (event.origin_server_ts > newest) newest = event.origin_server_ts;
  if (!Number.isFinite(newest)) return undefined;
  return Math.max(0, nowMs - newest) / 1000;
}
