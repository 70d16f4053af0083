import type BetterSqlite3 from 'better-sqlite3';
import {
  countQuery,
  keyValues,
  pageQuery,
  ROW_READERS,
  rowKey,
  type SynapsePage,
  type SynapseRows,
  type SynapseSource,
  type SynapseTable,
} from './synapse-source';

/**
 * Synapse on SQLite (small servers), opened read-only. better-sqlite3 is loaded only on this path: it
 * is a native module, and a deployment importing from PostgreSQL should not need it built.
 */
export function openSqliteSource(path: string): Promise<SynapseSource> {
  let db: BetterSqlite3.Database;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
    const Database = require('better-sqlite3') as typeof BetterSqlite3;
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    // An image installed with --ignore-scripts has the package but not its compiled binding.
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new Error(`cannot open the SQLite database ${path}: ${reason ?? ''}`);
  }
  return Promise.resolve({
    engine: 'sqlite',
    count(table) {
      const row = db.prepare(countQuery(table)).get() as { n: number } | undefined;
      return Promise.resolve(row?.n ?? 0);
    },
    page<T extends SynapseTable>(
      table: T,
      after: string | null,
      limit: number,
    ): Promise<SynapsePage<SynapseRows[T]>> {
      const params = after === null ? [limit] : [...keyValues(after), limit];
      const rows = db.prepare(pageQuery(table, after !== null, () => '?')).all(...params) as Record<
        string,
        unknown
      >[];
      const last = rows[rows.length - 1];
      return Promise.resolve({
        rows: rows.map((r) => ROW_READERS[table](r)),
        lastKey: last === undefined ? null : rowKey(table, last),
      });
    },
    close() {
      db.close();
      return Promise.resolve();
    },
  });
}
