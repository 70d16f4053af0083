// Synapse's database is a foreign, read-only source that no repository of ours models: the import reads
// it here with `pg` directly rather than through TypeORM in libs/*-data, which exists for our own tables.
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above: a foreign read-only database
import { Client } from 'pg';
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
 * Synapse on PostgreSQL, through one connection in a read-only transaction: nothing the import does can
 * write to Synapse, and every page sees the same snapshot (REPEATABLE READ), so rows written by a
 * Synapse still running cannot shift the keys between pages.
 */
export async function openPostgresSource(url: string): Promise<SynapseSource> {
  const client = new Client({ connectionString: url, application_name: 'auth-service-import-synapse' });
  await client.connect();
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  return {
    engine: 'postgres',
    async count(table) {
      const result = await client.query<{ n: string }>(countQuery(table));
      return Number(result.rows[0]?.n ?? 0);
    },
    async page<T extends SynapseTable>(
      table: T,
      after: string | null,
      limit: number,
    ): Promise<SynapsePage<SynapseRows[T]>> {
      const params = after === null ? [limit] : [...keyValues(after), limit];
      const result = await client.query<Record<string, unknown>>(
        pageQuery(table, after !== null, (i) => `$${String(i)}`),
        params,
      );
      const last = result.rows[result.rows.length - 1];
      return {
        rows: result.rows.map((r) => ROW_READERS[table](r)),
        lastKey: last === undefined ? null : rowKey(table, last),
      };
    },
    async close() {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    },
  };
}
