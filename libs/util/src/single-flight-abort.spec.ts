import { describe, expect, it } from 'vitest';
import { SingleFlight, untilAborted } from './single-flight';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe(SingleFlight.name, () => {
  it('shares one in-flight operation between concurrent callers', async () => {
    const flight = new SingleFlight<string, number>();
    const gate = deferred<number>();
    let calls = 0;
    const op = () => {
      calls++;
      return gate.promise;
    };
    const a = flight.run('k', op);
    const b = flight.run('k', op);
    expect(flight.size).toBe(1);
    gate.resolve(7);
    expect(await Promise.all([a, b])).toEqual([7, 7]);
    expect(calls).toBe(1);
    expect(flight.size).toBe(0);
  });

  it('does not remember failures', async () => {
    const flight = new SingleFlight<string, number>();
    await expect(flight.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(flight.run('k', () => Promise.resolve(1))).resolves.toBe(1);
  });

  it('keeps different keys apart', async () => {
    const flight = new SingleFlight<string, string>();
    const [a, b] = await Promise.all([
      flight.run('a', () => Promise.resolve('A')),
      flight.run('b', () => Promise.resolve('B')),
    ]);
    expect([a, b]).toEqual(['A', 'B']);
  });
});

describe(untilAborted.name, () => {
  it('resolves with the value when in time', async () => {
    await expect(untilAborted(Promise.resolve(1), new AbortController().signal)).resolves.toBe(1);
  });

  it('rejects when the signal fires first, or has already fired', async () => {
    const controller = new AbortController();
    const pending = untilAborted(new Promise(() => undefined), controller.signal);
    controller.abort(new Error('deadline'));
    await expect(pending).rejects.toThrow('deadline');
    await expect(untilAborted(Promise.resolve(1), controller.signal)).rejects.toThrow('deadline');
  });

  it('passes failures through', async () => {
    await expect(untilAborted(Promise.reject(new Error('x')), new AbortController().signal)).rejects.toThrow(
      'x',
    );
  });
});
