import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startSynapse, type RegisteredUser, type Synapse } from '@gateway/testing';
import { TestClient } from '../../apps/sync-proxy/test/support/matrix-client';
import { seedRooms, type Seeded } from './seed';

/**
 * Bumped whenever `seedRooms` changes what it creates, so a cached homeserver is never one seeded the
 * old way.
 */
const SEED_FORMAT = 1;

/** What a seeded homeserver's cache entry records beside Synapse's own files. */
interface SeedRecord {
  format: number;
  rooms: number;
  alice: RegisteredUser;
  bob: RegisteredUser;
  seeded: Seeded;
}

export interface SeededSynapse {
  synapse: Synapse;
  a: RegisteredUser;
  b: RegisteredUser;
  seeded: Seeded;
  /** Whether it came from the cache (no seeding in this run). */
  restored: boolean;
}

/**
 * The same cache directory as the Synapse test bed (tools/synapse/build-chroot.sh): the seeded
 * homeserver is kept per room count, because seeding 10,000 rooms takes many minutes of Synapse's time.
 */
function cacheDir(rooms: number): string {
  const base =
    process.env['GATEWAY_CACHE_DIR'] ??
    join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'matrix-gateway');
  return join(base, 'bench-sync', `rooms-${String(rooms)}`);
}

/**
 * A Synapse with alice in `rooms` rooms, restored from the cache when a homeserver seeded the same way
 * is there (unless `fresh`), else seeded now and saved to the cache before anything else touches it.
 * Every run so starts from the same state: the devices, connections and messages a run adds are not saved.
 */
export async function seededSynapse(
  rooms: number,
  fresh: boolean,
  progress: (line: string) => void,
): Promise<SeededSynapse> {
  const dir = cacheDir(rooms);
  const recordPath = join(dir, 'seed.json');
  if (!fresh && existsSync(recordPath)) {
    const record = JSON.parse(readFileSync(recordPath, 'utf8')) as SeedRecord;
    if (record.format === SEED_FORMAT && record.rooms === rooms) {
      progress(`restoring the seeded homeserver (${String(rooms)} rooms) from ${dir}`);
      const synapse = await startSynapse({ mode: 'plain', restoreFrom: join(dir, 'synapse') });
      return { synapse, a: record.alice, b: record.bob, seeded: record.seeded, restored: true };
    }
  }

  const synapse = await startSynapse({ mode: 'plain' });
  try {
    const a = await synapse.registerUser('alice');
    const b = await synapse.registerUser('bob');
    const alice = new TestClient(synapse.baseUrl, a.accessToken, a.userId);
    const bob = new TestClient(synapse.baseUrl, b.accessToken, b.userId);
    progress(`seeding ${String(rooms)} rooms on Synapse (4 requests in flight)…`);
    const seeded = await seedRooms(alice, bob, rooms, (done) => {
      progress(`  ${String(done)}/${String(rooms)} rooms`);
    });
    // Written beside, then renamed: an interrupted save leaves no entry that looks complete.
    const partial = `${dir}.partial`;
    rmSync(partial, { recursive: true, force: true });
    await synapse.save(join(partial, 'synapse'));
    const record: SeedRecord = { format: SEED_FORMAT, rooms, alice: a, bob: b, seeded };
    writeFileSync(join(partial, 'seed.json'), JSON.stringify(record, null, 2));
    mkdirSync(join(dir, '..'), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
    progress(`  saved to ${dir}`);
    return { synapse, a, b, seeded, restored: false };
  } catch (err) {
    await synapse.stop();
    throw err;
  }
}
