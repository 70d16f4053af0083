import { afterEach, describe, expect, it } from 'vitest';
import { InProcessTransport, type WakeMessage, type WakeTransport } from './wake-bus';
import { WaiterIndex, type StreamObserver } from './waiter-index';

/** Redis pub/sub slowed down: every message reaches the subscribers `delayMs` after its publish. */
class DelayedTransport implements WakeTransport {
  private readonly inner = new InProcessTransport();
  constructor(private readonly delayMs: number) {}
  publish(message: WakeMessage): Promise<void> {
    setTimeout(() => void this.inner.publish(message), this.delayMs);
    return Promise.resolve();
  }
  subscribe(handler: (m: WakeMessage) => void): Promise<void> {
    return this.inner.subscribe(handler);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

function counting(): StreamObserver & { heard: number[] } {
  const heard: number[] = [];
  return { heard, message: (m) => heard.push(m.seq), gap: () => undefined };
}

describe('WaiterIndex', () => {
  let index: WaiterIndex | undefined;
  afterEach(async () => {
    await index?.stop();
  });

  async function start(maxSeq: () => number, onInvalid: (h: string[]) => void = () => undefined) {
    const transport = new InProcessTransport();
    index = new WaiterIndex(transport, () => Promise.resolve(maxSeq()), 50, onInvalid);
    await index.start();
    return index;
  }

  const settled = async (p: Promise<unknown>, ms = 30): Promise<boolean> => {
    let done = false;
    void p.then(() => (done = true));
    await new Promise((r) => setTimeout(r, ms));
    return done;
  };

  it('wakes a waiter for its user or one of its rooms, only for news after its position', async () => {
    let seq = 5;
    const w = await start(() => seq);
    const byRoom = w.wait('@a:hs', new Set(['!r:hs']), 5, 5_000);
    const byUser = w.wait('@a:hs', new Set(), 5, 5_000);
    const other = w.wait('@b:hs', new Set(['!x:hs']), 5, 5_000);
    await w.publish({ seq: 5, rooms: ['!r:hs'], users: ['@a:hs'] }); // not news: at the waiter's position
    expect(await settled(byRoom)).toBe(false);
    seq = 6;
    await w.publish({ seq: 6, rooms: ['!r:hs'], users: [] });
    expect(await settled(byRoom)).toBe(true);
    expect(await settled(byUser)).toBe(false);
    seq = 7;
    await w.publish({ seq: 7, rooms: [], users: ['@a:hs'] });
    expect(await settled(byUser)).toBe(true);
    expect(await settled(other)).toBe(false);
    expect(w.size).toBe(1);
  });

  it('resolves with the position of the message that woke it, and with nothing on a timeout', async () => {
    let seq = 5;
    const w = await start(() => seq);
    const woken = w.wait('@a:hs', new Set(['!r:hs']), 5, 5_000);
    seq = 6;
    await w.publish({ seq: 6, rooms: ['!r:hs'], users: [] });
    expect(await woken).toBe(6);
    // Registered after the message arrived: the message that was missed.
    expect(await w.wait('@a:hs', new Set(['!r:hs']), 5, 5_000)).toBe(6);
    expect(await w.wait('@a:hs', new Set(['!r:hs']), 6, 10)).toBeUndefined();
  });

  it('times out, and stops waiting when the client hangs up', async () => {
    const w = await start(() => 0);
    expect(await settled(w.wait('@a:hs', new Set(), 0, 10), 40)).toBe(true);
    const abort = new AbortController();
    const waiting = w.wait('@a:hs', new Set(), 0, 5_000, abort.signal);
    abort.abort();
    expect(await settled(waiting)).toBe(true);
    expect(w.size).toBe(0);
  });

  it('wakes everyone when the stream moved but no message came (a lost publish, Redis away)', async () => {
    let seq = 1;
    const w = await start(() => seq);
    const waiting = w.wait('@a:hs', new Set(['!r:hs']), 1, 5_000);
    seq = 2; // stored, but its wake message was lost
    expect(await settled(waiting, 300)).toBe(true);
  });

  it('returns at once for news that arrived after the waiter’s position but before it registered', async () => {
    let seq = 5;
    const w = await start(() => seq);
    // A long-poll computed its answer at 5; a message for its room came in while it finished computing.
    seq = 6;
    await w.publish({ seq: 6, rooms: ['!r:hs'], users: [] });
    expect(await settled(w.wait('@a:hs', new Set(['!r:hs']), 5, 5_000))).toBe(true);
    expect(await settled(w.wait('@a:hs', new Set(['!other:hs']), 5, 5_000))).toBe(false);
    expect(await settled(w.wait('@b:hs', new Set(['!r:hs']), 6, 5_000))).toBe(false);
    expect(w.position).toBe(6);
  });

  it('returns at once when a gap was declared past the waiter’s position before it registered', async () => {
    let seq = 1;
    const w = await start(() => seq);
    seq = 3; // stored, wake message lost; the detector declares the gap before the waiter registers
    await new Promise((r) => setTimeout(r, 200));
    expect(w.position).toBe(3);
    expect(await settled(w.wait('@a:hs', new Set(), 2, 5_000))).toBe(true);
    // From the position heard of, it waits for real news.
    const fresh = w.wait('@a:hs', new Set(), w.position, 5_000);
    expect(await settled(fresh)).toBe(false);
    seq = 4;
    await w.publish({ seq: 4, rooms: [], users: ['@a:hs'] });
    expect(await settled(fresh)).toBe(true);
  });

  it('passes rejected tokens on and wakes their users without moving the stream', async () => {
    const dropped: string[] = [];
    const w = await start(
      () => 3,
      (h) => dropped.push(...h),
    );
    const waiting = w.wait('@a:hs', new Set(), 3, 5_000);
    await w.publish({ seq: 0, rooms: [], users: ['@a:hs'], invalidTokens: ['abcd'] });
    expect(await settled(waiting)).toBe(true);
    expect(dropped).toEqual(['abcd']);
  });

  describe('a batch stored on this replica', () => {
    const replicas: WaiterIndex[] = [];
    afterEach(async () => {
      for (const r of replicas.splice(0)) await r.stop();
    });

    it('wakes this replica’s waiters at once, while pub/sub is slow, and the other replica’s later', async () => {
      let seq = 1;
      const bus = new DelayedTransport(300);
      // No gap detector within the test: only the message can wake the waiters.
      const here = new WaiterIndex(bus, () => Promise.resolve(seq), 60_000);
      const there = new WaiterIndex(bus, () => Promise.resolve(seq), 60_000);
      replicas.push(here, there);
      await here.start();
      await there.start();
      const waitingHere = here.wait('@a:hs', new Set(['!r:hs']), 1, 5_000);
      const waitingThere = there.wait('@b:hs', new Set(['!r:hs']), 1, 5_000);
      seq = 2;
      const published = here.publish({ seq: 2, rooms: ['!r:hs'], users: [] });
      expect(await settled(waitingHere)).toBe(true);
      expect(await waitingHere).toBe(2);
      expect(await settled(waitingThere)).toBe(false);
      await published;
      expect(await settled(waitingThere, 400)).toBe(true);
    });

    it('is heard here once, though the transport echoes it, and other replicas’ messages as usual', async () => {
      const bus = new InProcessTransport();
      const here = new WaiterIndex(bus, () => Promise.resolve(0), 60_000);
      const there = new WaiterIndex(bus, () => Promise.resolve(0), 60_000);
      replicas.push(here, there);
      const heardHere = counting();
      const heardThere = counting();
      here.observe(heardHere);
      there.observe(heardThere);
      await here.start();
      await there.start();
      await here.publish({ seq: 2, rooms: ['!r:hs'], users: [] });
      await there.publish({ seq: 3, rooms: ['!r:hs'], users: [] });
      expect(heardHere.heard).toEqual([2, 3]);
      expect(heardThere.heard).toEqual([2, 3]);
      expect(here.position).toBe(3);
    });

    it('still detects another replica’s lost message after announcing a later batch of its own', async () => {
      const down: WakeTransport = {
        publish: () => Promise.reject(new Error('Connection is closed.')),
        subscribe: () => Promise.resolve(),
        close: () => Promise.resolve(),
      };
      let seq = 1;
      const here = new WaiterIndex(down, () => Promise.resolve(seq), 50);
      replicas.push(here);
      await here.start();
      const waiting = here.wait('@a:hs', new Set(['!r:hs']), 1, 5_000);
      // Another replica stored seq 2 for !r (its message lost with Redis); this one then stored seq 3.
      seq = 3;
      await here.publish({ seq: 3, rooms: ['!x:hs'], users: [] }).catch(() => undefined);
      expect(here.position).toBe(3);
      expect(await settled(waiting, 300)).toBe(true);
    });

    it('still wakes this replica’s waiters when the transport refuses to publish (Redis down)', async () => {
      const down: WakeTransport = {
        publish: () => Promise.reject(new Error('Connection is closed.')),
        subscribe: () => Promise.resolve(),
        close: () => Promise.resolve(),
      };
      const here = new WaiterIndex(down, () => Promise.resolve(1), 60_000);
      replicas.push(here);
      await here.start();
      const waiting = here.wait('@a:hs', new Set(), 1, 5_000);
      await expect(here.publish({ seq: 2, rooms: [], users: ['@a:hs'] })).rejects.toThrow('closed');
      expect(await settled(waiting)).toBe(true);
    });
  });
});
