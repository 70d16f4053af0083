import type { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobPayload } from '@gateway/queues';
import { freePort } from '@gateway/testing';
import { SYNC_DEVICES_QUEUE } from '../../src/tokens';
import { startAuth, type AuthUnderTest } from '../support/start-auth';

// No users: the sweeps find nothing to send, so Synapse is never called.
const UNUSED_SYNAPSE = 'http://127.0.0.1:9';
type SyncQueue = Queue<JobPayload<'auth.sync-devices'>>;

// The device sync runs once per interval for the whole deployment, not once per replica.
describe('the sync_devices schedule, shared by replicas', () => {
  const running: AuthUnderTest[] = [];
  afterAll(async () => {
    for (const app of running.reverse()) await app.stop();
  });

  it('runs one sweep per interval whatever the number of replicas, and 0 turns it off for all', async () => {
    const port = await freePort();
    const a = await startAuth(port, UNUSED_SYNAPSE, { AUTH_SYNC_DEVICES_INTERVAL: '1' });
    running.push(a);
    const b = await startAuth(
      port,
      UNUSED_SYNAPSE,
      { AUTH_SYNC_DEVICES_INTERVAL: '1', AUTH_BIND: `127.0.0.1:${String(await freePort())}` },
      { replicaOf: a },
    );
    running.push(b);
    const queue = a.app.get<SyncQueue>(SYNC_DEVICES_QUEUE);
    expect(await queue.getJobSchedulersCount()).toBe(1);
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 4_000));
    const sweeps = (await queue.getJobs(['completed'])).filter((j) => j.name === 'sweep');
    const ticks = Math.ceil((Date.now() - started) / 1000);
    // Two workers, one job per tick: never two sweeps for one tick.
    expect(sweeps.length).toBeGreaterThanOrEqual(2);
    expect(sweeps.length).toBeLessThanOrEqual(ticks + 1);
    const c = await startAuth(
      port,
      UNUSED_SYNAPSE,
      { AUTH_SYNC_DEVICES_INTERVAL: '0', AUTH_BIND: `127.0.0.1:${String(await freePort())}` },
      { replicaOf: a },
    );
    running.push(c);
    expect(await queue.getJobSchedulersCount()).toBe(0);
  }, 60_000);
});
