import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '@gateway/util';
import { DelayedLeaveEngine } from './delayed-leave-engine';
import { MemoryDelegationStore } from './delegation-store';
import { RedisDelegationStore } from './delegation-store-redis';
import { TimerStepScheduler, type StepScheduler } from './step-scheduler';
import { BullmqStepScheduler } from './step-scheduler-bullmq';
import { DEFAULT_TIMING, type DelayedLeaveTiming, type Random } from './timing';
import type { DelayedEventsClient, DelayedLeaveManager, ParticipantLookup } from './types';

export interface DelayedLeaveManagerOptions {
  lookup: ParticipantLookup;
  events: DelayedEventsClient;
  /** With Redis, jobs survive restarts and are shared by replicas; without, they live in this process. */
  redis?: { client: Redis; prefix: string };
  /** Must be the real clock with Redis: BullMQ delays are wall-clock. */
  clock?: Clock;
  /** The service's JSON log by default. */
  logger?: Pick<Logger, 'warn' | 'debug'>;
  /** Periodic participant check while connected; 0 (default) = off. */
  sanityCheckIntervalMs?: number;
  /** Overrides of lk-jwt-service's intervals (tests). */
  timing?: Partial<DelayedLeaveTiming>;
  random?: Random;
  newId?: () => string;
  /** Steps run at once per replica (Redis mode); each may wait on a homeserver. Default 64. */
  concurrency?: number;
  /** Per-delegation processing lock; longer than a lookup plus a homeserver timeout. Default 60 s. */
  lockTtlMs?: number;
  /** How long delegate() waits for a running step of the job it replaces. Default 2 s. */
  replaceWaitMs?: number;
  /** Retry delay for a step whose delegation is busy with another step. Default 100 ms. */
  busyRetryMs?: number;
}

/** Builds the in-memory or the Redis + BullMQ manager; both run the same state machine. */
export function createDelayedLeaveManager(options: DelayedLeaveManagerOptions): DelayedLeaveManager {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? new Logger('delayed-leave');
  const timing: DelayedLeaveTiming = {
    ...DEFAULT_TIMING,
    ...options.timing,
    ...(options.sanityCheckIntervalMs === undefined
      ? {}
      : { sanityCheckIntervalMs: options.sanityCheckIntervalMs }),
  };
  const busyRetryMs = options.busyRetryMs ?? 100;
  const onError = (error: unknown, id: string | undefined): void => {
    logger.warn({
      msg: 'delayed leave step failed',
      delegation: id,
      err: error instanceof Error ? error.message : String(error),
    });
  };
  let scheduler: StepScheduler;
  let store;
  if (options.redis === undefined) {
    store = new MemoryDelegationStore(clock);
    scheduler = new TimerStepScheduler({
      now: clock,
      busyRetryMs,
      errorRetryMs: timing.retryInitialMs,
      onError,
    });
  } else {
    const { client, prefix } = options.redis;
    store = new RedisDelegationStore(client, prefix);
    scheduler = new BullmqStepScheduler(
      { redis: client, prefix },
      { now: clock, concurrency: options.concurrency ?? 64, busyRetryMs, onError },
    );
  }
  return new DelayedLeaveEngine({
    store,
    scheduler,
    deps: { lookup: options.lookup, events: options.events, timing, random: options.random ?? Math.random },
    clock,
    logger,
    newId: options.newId ?? randomUUID,
    lockTtlMs: options.lockTtlMs ?? 60_000,
    replaceWaitMs: options.replaceWaitMs ?? 2_000,
  });
}
