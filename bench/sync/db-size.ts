import { createDataSource } from '@gateway/db';

export interface DatabaseSize {
  /** Tables, indexes and TOAST of every `sync_*` table. */
  bytes: number;
  perRoomKiB: number;
  /** `sync_connections`: rows and KiB per row (sliding-sync connections' stored state). */
  connections: number;
  perConnectionKiB: number;
  tables: Record<string, number>;
}

/** `sum(pg_total_relation_size)` over the proxy's `sync_*` tables, and per room. */
export async function databaseSize(url: string, rooms: number): Promise<DatabaseSize> {
  const ds = createDataSource({
    url,
    entities: [],
    migrations: [],
    poolSize: 1,
    applicationName: 'bench-sync',
  });
  await ds.initialize();
  try {
    const rows = await ds.query<{ name: string; bytes: string }[]>(
      `SELECT c.relname AS name, pg_total_relation_size(c.oid)::text AS bytes
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname = 'public' AND c.relname LIKE 'sync\\_%'
        ORDER BY c.relname`,
    );
    const tables = Object.fromEntries(rows.map((r) => [r.name, Number(r.bytes)]));
    const bytes = Object.values(tables).reduce((s, b) => s + b, 0);
    const [conns] = await ds.query<{ n: string }[]>(`SELECT count(*)::text AS n FROM sync_connections`);
    const connections = Number(conns?.n ?? 0);
    return {
      bytes,
      perRoomKiB: +(bytes / rooms / 1024).toFixed(2),
      connections,
      perConnectionKiB: +((tables['sync_connections'] ?? 0) / Math.max(1, connections) / 1024).toFixed(2),
      tables,
    };
  } finally {
    await ds.destroy();
  }
}
