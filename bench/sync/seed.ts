import type { TestClient } from '../../apps/sync-proxy/test/support/matrix-client';

export interface Seeded {
  /** Alice's DMs with bob, in creation order. */
  dms: string[];
  groups: number;
}

/** Runs `fn` over `items` with at most `width` calls in flight. */
export async function inPool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/**
 * Alice in `rooms` rooms: every tenth a DM with bob (he joins and writes), the rest private groups she
 * creates and writes in, a name on every other one; `m.direct` lists the DMs. Four requests in flight:
 * SQLite has one writer, more only queue.
 */
export async function seedRooms(
  alice: TestClient,
  bob: TestClient,
  rooms: number,
  progress: (done: number) => void,
): Promise<Seeded> {
  const dms: string[] = [];
  let groups = 0;
  let done = 0;
  const indices = Array.from({ length: rooms }, (_, i) => i);
  await inPool(indices, 4, async (i) => {
    if (i % 10 === 9) {
      const roomId = await alice.createRoom({
        preset: 'trusted_private_chat',
        is_direct: true,
        invite: [bob.userId],
      });
      await bob.join(roomId);
      await bob.send(roomId, `hello ${String(i)}`);
      dms.push(roomId);
    } else {
      const named = groups++ % 2 === 0;
      const roomId = await alice.createRoom({
        preset: 'private_chat',
        ...(named ? { name: `Group ${String(i)}` } : {}),
      });
      await alice.send(roomId, `message ${String(i)}`);
    }
    done++;
    if (done % 100 === 0 || done === rooms) progress(done);
  });
  await alice.accountData('m.direct', { [bob.userId]: dms });
  return { dms, groups };
}
