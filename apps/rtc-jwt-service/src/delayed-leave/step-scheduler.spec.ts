import { describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../../test/fakes/delayed-leave-fakes';
import { TimerStepScheduler } from './step-scheduler';

function scheduler(errors: unknown[] = []) {
  return new TimerStepScheduler({
    now: Date.now,
    busyRetryMs: 10,
    errorRetryMs: 10,
    onError: (error) => errors.push(error),
  });
}

describe(TimerStepScheduler.name, () => {
  it('holds steps scheduled before start and runs only the newest version of a delegation', async () => {
    const s = scheduler();
    const runs: string[] = [];
    await s.schedule('a', 1, Date.now());
    await s.schedule('a', 2, Date.now());
    await sleep(20);
    expect(runs).toEqual([]);
    await s.start((id, version) => {
      runs.push(`${id}-v${version}`);
      return Promise.resolve('done');
    });
    await waitFor(() => runs.length === 1);
    await sleep(20);
    expect(runs).toEqual(['a-v2']);
    await s.close();
  });

  it('redelivers a busy step and one whose handler threw', async () => {
    const errors: unknown[] = [];
    const s = scheduler(errors);
    let calls = 0;
    await s.start(() => {
      calls++;
      if (calls === 1) return Promise.resolve('busy');
      if (calls === 2) return Promise.reject(new Error('store down'));
      return Promise.resolve('done');
    });
    await s.schedule('a', 1, Date.now());
    await waitFor(() => calls === 3);
    expect(errors).toHaveLength(1);
    expect(await s.isPending('a', 1)).toBe(false);
    await s.close();
  });

  it('cancels a pending step and, on close, waits for running ones and drops the rest', async () => {
    const s = scheduler();
    const runs: string[] = [];
    let release: () => void = () => undefined;
    await s.start(async (id) => {
      runs.push(id);
      if (id === 'slow') await new Promise<void>((resolve) => (release = resolve));
      return 'done';
    });
    await s.schedule('cancelled', 1, Date.now() + 30);
    await s.cancel('cancelled', 1);
    await s.schedule('later', 1, Date.now() + 50);
    await s.schedule('slow', 1, Date.now());
    await waitFor(() => runs.includes('slow'));
    let closed = false;
    const closing = s.close().then(() => (closed = true));
    await sleep(20);
    expect(closed).toBe(false);
    release();
    await closing;
    await sleep(80);
    expect(runs).toEqual(['slow']);
  });
});
