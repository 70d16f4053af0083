import type { Clock } from '@gateway/util';
import type { Logger } from '@nestjs/common';
import { onParticipantJoined, onParticipantLeft, type EventTransition } from './delegation-events';
import {
  isExpired,
  jobKey,
  newRecord,
  type DelegationRecord,
  type TerminalOutcome,
} from './delegation-record';
import { runStep, type StepDeps } from './delegation-step';
import type { DelegationStore } from './delegation-store';
import type { StepScheduler } from './step-scheduler';
import { DelayedLeaveShuttingDownError, type DelayedLeaveManager, type DelegationRequest } from './types';

/**
 * The delegation state machine over a store and a scheduler. Webhooks only rewrite records
 * (compare-and-set) and schedule a step; all LiveKit and homeserver I/O happens in steps, one at a time
 * per delegation under the store's lock. That is what keeps two replicas, or a step and a webhook,
 * from both acting on one delegation.
 */
export interface EngineOptions {
  store: DelegationStore;
  scheduler: StepScheduler;
  deps: StepDeps;
  clock: Clock;
  logger: Pick<Logger, 'warn' | 'debug'>;
  newId: () => string;
  /** Longer than one step can take (a lookup plus a homeserver call with its timeout). */
  lockTtlMs: number;
  /** How long delegate() waits for a running step of the job it replaces. */
  replaceWaitMs: number;
}

export class DelayedLeaveEngine implements DelayedLeaveManager {
  private closing = false;

  constructor(private readonly o: EngineOptions) {}

  async delegate(req: DelegationRequest): Promise<void> {
    if (this.closing) throw new DelayedLeaveShuttingDownError();
    const record = newRecord(this.o.newId(), req, this.o.clock(), this.o.deps.timing);
    // Hold the old job's lock while replacing it, so a step of it that is running now finishes first
    // and none starts afterwards: once delegate() resolves, the old delay id is left alone.
    const oldId = await this.o.store.idForKey(jobKey(req));
    const token = oldId === null ? null : await this.waitForLock(oldId);
    let old: DelegationRecord | null;
    try {
      old = await this.o.store.replace(record);
    } finally {
      if (oldId !== null && token !== null) await this.o.store.unlock(oldId, token);
    }
    if (old !== null) {
      await this.o.scheduler.cancel(old.id, old.version);
      this.o.logger.debug({ msg: 'delayed leave replaced', delegation: old.id, replacedBy: record.id });
    }
    await this.o.scheduler.schedule(record.id, record.version, record.nextAt);
    this.o.logger.debug({
      msg: 'delayed leave delegated',
      delegation: record.id,
      room: req.room,
      timeoutMs: req.delayTimeoutMs,
    });
  }

  participantJoined(room: string, identity: string): Promise<void> {
    return this.onWebhook(room, identity, (r, now) => onParticipantJoined(r, now, this.o.deps.timing));
  }

  participantLeft(room: string, identity: string, clientInitiated: boolean): Promise<void> {
    return this.onWebhook(room, identity, (r, now) =>
      onParticipantLeft(r, clientInitiated, now, this.o.deps.timing),
    );
  }

  async forget(room: string, identity: string): Promise<void> {
    for (const id of await this.o.store.findByAddress(room, identity)) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const record = await this.o.store.get(id);
        if (record === null || (await this.finish(record, 'aborted'))) break;
      }
    }
  }

  /**
   * Purges jobs the homeserver has already sent (restartedAt + timeout ≤ now) and resumes the rest,
   * then starts running steps.
   */
  async start(): Promise<void> {
    for (const id of await this.o.store.listIds()) {
      const record = await this.o.store.get(id);
      if (record !== null) await this.resume(record, this.o.clock());
    }
    await this.o.scheduler.start((id, version) => this.runScheduledStep(id, version));
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.o.scheduler.close();
  }

  activeCount(): Promise<number> {
    return this.o.store.count();
  }

  private async onWebhook(
    room: string,
    identity: string,
    transition: (record: DelegationRecord, now: number) => EventTransition,
  ): Promise<void> {
    if (this.closing) return;
    for (const id of await this.o.store.findByAddress(room, identity)) {
      // Retry on a lost compare-and-set: a step or another webhook wrote first; decide again.
      for (let attempt = 0; attempt < 5; attempt++) {
        const record = await this.o.store.get(id);
        if (record === null) break;
        const result = transition(record, this.o.clock());
        if (result === null) break;
        const done =
          result.kind === 'abort'
            ? await this.finish(record, 'aborted')
            : await this.commit({ ...result.record, version: record.version + 1 }, record.version);
        if (done) {
          if (result.kind === 'update') this.logPhase(record, result.record.phase);
          break;
        }
      }
    }
  }

  private async runScheduledStep(id: string, version: number): Promise<'done' | 'busy'> {
    const token = await this.o.store.tryLock(id, this.o.lockTtlMs);
    if (token === null) return 'busy';
    try {
      const record = await this.o.store.get(id);
      // Superseded by a webhook, a newer step or a replacement: that one has its own step.
      if (record?.version !== version) return 'done';
      const result = await runStep(record, this.o.deps, this.o.clock());
      if (result.kind === 'finish') await this.finish(record, result.outcome);
      else if (await this.commit({ ...result.record, version: record.version + 1 }, record.version)) {
        if (result.record.phase !== record.phase) this.logPhase(record, result.record.phase);
      }
      return 'done';
    } finally {
      await this.o.store.unlock(id, token);
    }
  }

  /** Saves `next` over version `expected` and schedules its step; false if someone wrote first. */
  private async commit(next: DelegationRecord, expected: number): Promise<boolean> {
    if (next.version !== expected + 1 || !(await this.o.store.update(next))) return false;
    await this.o.scheduler.schedule(next.id, next.version, next.nextAt);
    return true;
  }

  /**
   * A connected job gets a one-off participant check, since webhooks may have been missed while no
   * replica ran; any job whose step was lost (a crash between saving a record and scheduling its
   * step) gets a new one. Other jobs are left to the steps already queued for them.
   */
  private async resume(record: DelegationRecord, now: number): Promise<void> {
    if (isExpired(record, now)) {
      if (await this.o.store.remove(record.id, record.version)) {
        await this.o.scheduler.cancel(record.id, record.version);
      }
      return;
    }
    const pending = await this.o.scheduler.isPending(record.id, record.version);
    if (pending && record.phase !== 'connected') return;
    const next: DelegationRecord = { ...record, version: record.version + 1 };
    if (record.phase === 'connected') {
      next.nextCheckAt = now;
      next.nextAt = now;
    } else next.nextAt = Math.max(now, record.nextAt);
    if ((await this.commit(next, record.version)) && pending) {
      await this.o.scheduler.cancel(record.id, record.version);
    }
  }

  private async finish(record: DelegationRecord, outcome: TerminalOutcome): Promise<boolean> {
    if (!(await this.o.store.remove(record.id, record.version))) return false;
    await this.o.scheduler.cancel(record.id, record.version);
    const context = { delegation: record.id, room: record.request.room, outcome };
    if (outcome === 'restart_failed' || outcome === 'send_failed') {
      this.o.logger.warn({ msg: 'delayed leave ended after the homeserver kept failing', ...context });
    } else this.o.logger.debug({ msg: 'delayed leave finished', ...context });
    return true;
  }

  private logPhase(record: DelegationRecord, phase: string): void {
    this.o.logger.debug({
      msg: 'delayed leave',
      delegation: record.id,
      room: record.request.room,
      from: record.phase,
      to: phase,
    });
  }

  private async waitForLock(id: string): Promise<string | null> {
    const deadline = this.o.clock() + this.o.replaceWaitMs;
    for (;;) {
      const token = await this.o.store.tryLock(id, this.o.lockTtlMs);
      if (token !== null || this.o.clock() >= deadline) return token;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
