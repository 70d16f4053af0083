import type { EntityManager } from 'typeorm';

/** Postgres returns bigint as text; every seq and position here fits a double (< 2^53). */
export function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  return 0;
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

export type Query = EntityManager['query'];

/** Rows of a `jsonb_to_recordset` batch insert: one statement per table however many rows. */
export function recordset(rows: readonly object[]): string {
  return JSON.stringify(rows);
}

/**
 * The rows of a query. TypeORM's Postgres driver returns `[rows, rowCount]` for UPDATE and DELETE and
 * bare rows for everything else; reading the pair as rows would make every `RETURNING` look non-empty
 * (and a failed compare-and-set look like a success).
 */
export async function rowsOf(q: Promise<unknown>): Promise<Record<string, unknown>[]> {
  const result = await q;
  if (!Array.isArray(result)) return [];
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as Record<string, unknown>[];
  }
  return result as Record<string, unknown>[];
}
