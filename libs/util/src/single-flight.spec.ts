import { describe, expect, it } from 'vitest';
import { SingleFlight } from './single-flight';

function gate<T>(): { promise: Promise<T>; open: (value: T) => void; fail: (error: Error) => void } {
  let open!: (value: T) => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

describe(SingleFlight.name, () => {
  it('runs the operation once for concurrent callers of one key', async () => {
    const flight = new SingleFlight<string, number>();
    const g = gate<number>();
    let runs = 0;
    const op = (): Promise<number> => {
      runs++;
      return g.promise;
    };
    const calls = [flight.run('a', op), flight.run('a', op), flight.run('a', op)];
    expect(flight.size).toBe(1);
    g.open(42);
    expect(await Promise.all(calls)).toEqual([42, 42, 42]);
    expect(runs).toBe(1);
    expect(flight.size).toBe(0);
  });

  it('shares a failure only with callers already waiting', async () => {
    const flight = new SingleFlight<string, number>();
    const g = gate<number>();
    const first = flight.run('a', () => g.promise);
    const second = flight.run('a', () => Promise.resolve(0));
    g.fail(new Error('boom'));
    await expect(first).rejects.toThrow('boom');
    await expect(second).rejects.toThrow('boom');
    await expect(flight.run('a', () => Promise.resolve(1))).resolves.toBe(1);
  });

  it('turns a synchronous throw into a rejection and forgets the key', async () => {
    const flight = new SingleFlight<string, number>();
    await expect(
      flight.run('a', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(flight.size).toBe(0);
  });

  it('keeps keys apart', async () => {
    const flight = new SingleFlight<string, string>();
    const results = await Promise.all([
      flight.run('a', () => Promise.resolve('A')),
      flight.run('b', () => Promise.resolve('B')),
    ]);
    expect(results).toEqual(['A', 'B']);
  });
});
