import type { DataSource, EntityManager } from 'typeorm';
import { SyncInitialSchema1764200000000 } from './migrations/1764200000000-sync-initial-schema';
import { BatchWriter } from './repositories/batch-writer';
import { ConnectionRepository } from './repositories/connection.repository';
import { DeviceRepository } from './repositories/device.repository';
import { PruneRepository } from './repositories/prune.repository';
import { rowsOf, num } from './repositories/sql-util';
import { SyncReader } from './repositories/sync-reader';
import { ToDeviceRepository } from './repositories/to-device.repository';
import { TokenRepository } from './repositories/token.repository';

/** The proxy stores rows with plain SQL (hot paths); it has no TypeORM entities, only migrations. */
export const SYNC_ENTITIES = [];
export const SYNC_MIGRATIONS = [SyncInitialSchema1764200000000];

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

  constructor(private readonly dataSource: DataSource) {
    this.tokens = new TokenRepository(dataSource);
    this.devices = new DeviceRepository(dataSource);
    this.batches = new BatchWriter(dataSource);
    this.toDevice = new ToDeviceRepository(dataSource);
    this.prune = new PruneRepository(dataSource);
  }

  /**
   * Runs `fn` in one REPEATABLE READ transaction: every read sees the same snapshot, and connection
   * writes commit together with the answer they describe.
   */
  snapshot<T>(fn: (s: SyncSnapshot) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('REPEATABLE READ', (em: EntityManager) =>
      fn({ reader: new SyncReader(em), connections: new ConnectionRepository(em) }),
    );
  }

  async maxSeq(): Promise<number> {
    const [row] = await rowsOf(this.dataSource.query('SELECT max_seq FROM sync_stream WHERE id = 1'));
    return num(row?.['max_seq']);
  }
}
