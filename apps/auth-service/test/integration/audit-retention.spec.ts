import type { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuthStore, NewAuditEvent } from '@gateway/auth-data';
import type { JobPayload } from '@gateway/queues';
import { freePort } from '@gateway/testing';
import { AuditPruneWorker } from '../../src/audit/audit-prune.worker';
import { AUDIT_PRUNE_QUEUE, AUTH_STORE } from '../../src/tokens';
import { startAuth, type AuthUnderTest } from '../support/start-auth';

// No Synapse is called here: nothing signs in.
const UNUSED_SYNAPSE = 'http://127.0.0.1:9';
const DAY_MS = 86_400_000;
type PruneQueue = Queue<JobPayload<'auth.prune-audit'>>;
const event: NewAuditEvent = {
  type: 'user.login.succeeded',
  outcome: 'succeeded',
  actor: 'u',
  actorKind: 'user',
  subject: 'u',
  ip: null,
  userAgent: null,
  details: {},
};

async function completedPrunes(queue: PruneQueue, atLeast: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const done = await queue.getCompletedCount();
    if (done >= atLeast) return done;
    await new Promise((r) => setTimeout(r, 100));
  }
  return queue.getCompletedCount();
}

// AUTH_AUDIT_RETENTION_DAYS: an hourly job scheduler, shared by the replicas, deletes older events.
describe('audit log retention', () => {
  const running: AuthUnderTest[] = [];
  afterAll(async () => {
    for (const app of running.reverse()) await app.stop();
  });

  it('schedules one hourly prune that deletes what is past the retention; 0 keeps everything', async () => {
    let now = Date.parse('2026-06-01T00:00:00Z');
    const port = await freePort();
    const a = await startAuth(
      port,
      UNUSED_SYNAPSE,
      { AUTH_AUDIT_RETENTION_DAYS: '30' },
      { clock: () => now },
    );
    running.push(a);
    const queue = a.app.get<PruneQueue>(AUDIT_PRUNE_QUEUE);
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({ every: 3_600_000 });
    // The scheduler's first job comes at once, on a database the service is still migrating: it is
    // taken once the schema is there, not failed on a missing table (and left for an hour).
    expect(await completedPrunes(queue, 1)).toBe(1);
    expect(await queue.getFailedCount()).toBe(0);
    expect(a.logs()).not.toContain('pruning the audit log failed');

    const store = a.app.get<AuthStore>(AUTH_STORE);
    const old = await store.auditEvents.record(event, new Date(now - 31 * DAY_MS));
    const recent = await store.auditEvents.record(event, new Date(now - 29 * DAY_MS));
    // What the scheduler adds every hour, added now: the worker runs it.
    const before = await queue.getCompletedCount();
    await queue.add('prune', {});
    expect(await completedPrunes(queue, before + 1)).toBeGreaterThan(before);
    const left = (await store.auditEvents.listPage({}, {})).items.map((e) => e.id);
    expect(left).not.toContain(old.id);
    expect(left).toContain(recent.id);

    // A replica started with 0 removes the schedule for all, and its prune deletes nothing.
    now += 10 * DAY_MS;
    const b = await startAuth(
      port,
      UNUSED_SYNAPSE,
      { AUTH_AUDIT_RETENTION_DAYS: '0', AUTH_BIND: `127.0.0.1:${String(await freePort())}` },
      { replicaOf: a, clock: () => now },
    );
    running.push(b);
    expect(await queue.getJobSchedulersCount()).toBe(0);
    expect(await b.app.get(AuditPruneWorker).prune()).toBe(0);
    expect((await store.auditEvents.listPage({}, {})).items.map((e) => e.id)).toContain(recent.id);
  }, 60_000);
});
