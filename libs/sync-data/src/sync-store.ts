import type { DataSource, EntityManager } from 'typeorm';
import { SyncInitialSchema1764200000000 } from './migrations/1764200000000-sync-initial-schema';
import { SyncPollerStatus1765300000000 } from './migrations/1765300000000-sync-poller-status';
import { SyncRoomStateHistory1766200000000 } from './migrations/1766200000000-sync-room-state-history';
import { AdminRepository } from './repositories/admin.repository';
import { BatchWriter } from './repositories/batch-writer';
import { BatchedQuery } from './repositories/batched-query';
import { ConnectionRepository } from './repositories/connection.repository';
import { DeviceRepository } from './repositories/device.repository';
import { PruneRepository } from './repositories/prune.repository';
import { rowsOf, num } from './repositories/sql-util';
import { SyncReader } from './repositories/sync-reader';
import { ToDeviceRepository } from './repositories/to-device.repository';
import { TokenRepository } from './repositories/token.repository';

/** The proxy stores rows with plain SQL (hot paths); it has no TypeORM entities, only migrations. */
export const SYNC_ENTITIES = [];
export const SYNC_MIGRATIONS = [
  SyncInitialSchema1764200000000,
  SyncPollerStatus1765300000000,
  SyncRoomStateHistory1766200000000,
];

/** What one sliding-sync answer may do inside its snapshot. */
export interface SyncSnapshot {
  reader: SyncReader;
  connections: ConnectionRepository;
}

/** The sync proxy's repositories over one DataSource. */
export class SyncStore {
  readonly tokens: TokenRepository;
  readonly devices: DeviceRepository;
  readonly batches: BatchWriter;
  readonly toDevice: ToDeviceRepository;
  readonly prune: PruneRepository;
  /** Read-only views for the admin API (pollers, connections). */
  readonly admin: AdminRepository;

  constructor(private readonly dataSource: DataSource) {
    this.tokens = new TokenRepository(dataSource);
    this.devices = new DeviceRepository(dataSource);
    this.batches = new BatchWriter(dataSource);
    this.toDevice = new ToDeviceRepository(dataSource);
    this.prune = new PruneRepository(dataSource);
    this.admin = new AdminRepository(dataSource);
  }

  /**
   * Runs `fn` in one REPEATABLE READ transaction: every read sees the same snapshot, and connection
   * writes commit together with the answer they describe.
   */
  async snapshot<T>(fn: (s: SyncSnapshot) => Promise<T>): Promise<T> {
    // Two requests on one connection at once (a client retrying, two tabs): the second waits on the
    // connection row's lock, and then cannot update a row changed after its snapshot began. Starting
    // over with a fresh snapshot is the right answer, not an error.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.repeatableRead((em: EntityManager) => {
          const reads = new BatchedQuery(em);
          return fn({ reader: new SyncReader(reads), connections: new ConnectionRepository(em, reads) });
        });
      } catch (err) {
        if (attempt >= 8 || !isSerializationFailure(err)) throw err;
      }
    }
  }

  /**
   * A REPEATABLE READ transaction opened with one statement: TypeORM's `transaction('REPEATABLE READ')`
   * sends `START TRANSACTION` and `SET TRANSACTION ISOLATION LEVEL` apart, a round trip more on every
   * answer (each woken long-poll's among them).
   */
  private async repeatableRead<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('START TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      let result: T;
      try {
        result = await fn(runner.manager);
      } catch (err) {
        // The error that ended the answer is the one to report, not a failed rollback's.
        await runner.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      await runner.query('COMMIT');
      return result;
    } finally {
      await runner.release();
    }
  }

  /**
   * Takes one stream position for news that stores no rows (a change the proxy saw pass through to the
   * homeserver), so the wake message announcing it has a position like any poller batch's: a long-poll
   * that read the stream before it wakes, and a lost message is caught by the gap detector.
   */
  async nextSeq(): Promise<number> {
    const [row] = await rowsOf(
      this.dataSource.query('UPDATE sync_stream SET max_seq = max_seq + 1 WHERE id = 1 RETURNING max_seq'),
    );
    return num(row?.['max_seq']);
  }

  async maxSeq(): Promise<number> {
    const [row] = await rowsOf(this.dataSource.query('SELECT max_seq FROM sync_stream WHERE id = 1'));
    return num(row?.['max_seq']);
  }
}

function isSerializationFailure(err: unknown): boolean {
  const code = (err as { driverError?: { code?: unknown }; code?: unknown } | null)?.driverError?.code;
  return code === '40001' || code === '40P01';
}
