import { createQueue, createWorker, type QueueConnection } from '@gateway/queues';
import { DelayedError, type Job, type Worker } from 'bullmq';
import type { StepHandler, StepScheduler } from './step-scheduler';

/**
 * Steps as delayed BullMQ jobs on `rtc.delayed-leave`, so they survive restarts and any replica runs
 * them. The payload is only the delegation id; the BullMQ job id `<delegation>-v<version>` names the
 * step, so rescheduling is "add a job with a new id" and a superseded job runs as a no-op — no need
 * to reach into a job another replica may be running.
 */
const QUEUE = 'rtc.delayed-leave';
const LIVE_STATES = new Set(['delayed', 'waiting', 'active', 'prioritized', 'waiting-children']);

export function stepJobId(id: string, version: number): string {
  return `${id}-v${version}`;
}

export interface BullmqStepSchedulerOptions {
  now: () => number;
  /** Steps run concurrently per replica; each may wait on a homeserver for up to its timeout. */
  concurrency: number;
  busyRetryMs: number;
  onError: (error: unknown, id: string | undefined) => void;
}

export class BullmqStepScheduler implements StepScheduler {
  private readonly queue;
  private worker: Worker<{ delegationId: string }> | undefined;

  constructor(
    private readonly connection: QueueConnection,
    private readonly options: BullmqStepSchedulerOptions,
  ) {
    // A step whose handler threw (Redis trouble) is retried by BullMQ; a done step leaves nothing.
    this.queue = createQueue(QUEUE, connection, {
      removeOnComplete: true,
      removeOnFail: 1000,
      attempts: 8,
      backoff: { type: 'exponential', delay: 1000 },
    });
  }

  async schedule(id: string, version: number, at: number): Promise<void> {
    const delay = Math.max(0, Math.round(at - this.options.now()));
    await this.queue.add('step', { delegationId: id }, { jobId: stepJobId(id, version), delay });
  }

  async cancel(id: string, version: number): Promise<void> {
    try {
      await this.queue.remove(stepJobId(id, version));
    } catch (error) {
      // Locked by a running worker: it will find its version stale.
      this.options.onError(error, id);
    }
  }

  async isPending(id: string, version: number): Promise<boolean> {
    return LIVE_STATES.has(await this.queue.getJobState(stepJobId(id, version)));
  }

  start(handler: StepHandler): Promise<void> {
    if (this.worker !== undefined) return Promise.resolve();
    const process = async (job: Job<{ delegationId: string }>, token?: string): Promise<void> => {
      const id = job.data.delegationId;
      const version = parseVersion(job.id, id);
      if (version === null) return;
      if ((await handler(id, version)) === 'busy') {
        await job.moveToDelayed(this.options.now() + this.options.busyRetryMs, token);
        throw new DelayedError();
      }
    };
    const worker = createWorker(QUEUE, process, this.connection, { concurrency: this.options.concurrency });
    worker.on('error', (error) => {
      this.options.onError(error, undefined);
    });
    worker.on('failed', (job, error) => {
      this.options.onError(error, job?.data.delegationId);
    });
    this.worker = worker;
    return Promise.resolve();
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    // createWorker closes the worker's own connection when the worker closes.
    if (worker !== undefined) await worker.close();
    await this.queue.close();
  }
}

function parseVersion(jobId: string | undefined, id: string): number | null {
  const prefix = `${id}-v`;
  if (jobId?.startsWith(prefix) !== true) return null;
  const version = Number(jobId.slice(prefix.length));
  return Number.isSafeInteger(version) && version > 0 ? version : null;
}
