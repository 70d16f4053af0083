import { describe, expect, it } from 'vitest';
import type { EntityManager } from 'typeorm';
import { BatchedQuery } from './batched-query';

/** An EntityManager that records each statement and answers with the rows its test gives. */
function fakeEm(answer: (sql: string) => unknown[]): { em: EntityManager; sent: [string, unknown[]][] } {
  const sent: [string, unknown[]][] = [];
  const em = {
    query: (sql: string, values: unknown[]) => {
      sent.push([sql, values]);
      return Promise.resolve(answer(sql));
    },
  } as unknown as EntityManager;
  return { em, sent };
}

describe(BatchedQuery.name, () => {
  it('sends a read started alone as it is', async () => {
    const { em, sent } = fakeEm(() => [{ a: '1' }]);
    const rows = await new BatchedQuery(em).rows('SELECT a FROM t WHERE b = $1', ['x']);
    expect(rows).toEqual([{ a: '1' }]);
    expect(sent).toEqual([['SELECT a FROM t WHERE b = $1', ['x']]]);
  });

  it('sends reads started together as one statement, parameters renumbered, rows back to each', async () => {
    const { em, sent } = fakeEm(() => [{ r0: [{ a: 1 }], r1: [{ c: true }], r2: [{ b: 'y' }] }]);
    const reads = new BatchedQuery(em);
    // Each read after awaits of its own, as reader methods do before their query.
    const later = async (sql: string, values: unknown[]): Promise<unknown> => {
      await Promise.resolve();
      await Promise.resolve();
      return reads.rows(sql, values);
    };
    const got = await Promise.all([
      reads.rows('SELECT a FROM t WHERE b = $1 AND c = $2', ['x', 2]),
      later('SELECT b FROM u WHERE d = ANY($1)', [['y']]),
      reads.rows('SELECT c FROM v'),
    ]);
    expect(got).toEqual([[{ a: 1 }], [{ b: 'y' }], [{ c: true }]]);
    expect(sent).toEqual([
      [
        "SELECT (SELECT coalesce(json_agg(r), '[]') FROM (SELECT a FROM t WHERE b = $1 AND c = $2) r) AS r0, " +
          "(SELECT coalesce(json_agg(r), '[]') FROM (SELECT c FROM v) r) AS r1, " +
          "(SELECT coalesce(json_agg(r), '[]') FROM (SELECT b FROM u WHERE d = ANY($3)) r) AS r2",
        ['x', 2, ['y']],
      ],
    ]);
  });

  it('fails every read of a statement that failed', async () => {
    const em = { query: () => Promise.reject(new Error('boom')) } as unknown as EntityManager;
    const reads = new BatchedQuery(em);
    const results = await Promise.allSettled([reads.rows('SELECT 1'), reads.rows('SELECT 2')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
