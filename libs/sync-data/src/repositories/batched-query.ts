import type { EntityManager } from 'typeorm';
import { rowsOf } from './sql-util';

interface QueuedRead {
  sql: string;
  values: readonly unknown[];
  resolve: (rows: Record<string, unknown>[]) => void;
  reject: (err: unknown) => void;
}

/**
 * The SELECTs of one sliding-sync answer, on its transaction. Reads started together (a `Promise.all`
 * of reader methods, the connection's lock with the room list) go to Postgres as one statement, one
 * round trip instead of one each: each read becomes a column `(SELECT json_agg(r) FROM (<read>) r)` of
 * one row, its parameters renumbered. A woken long-poll's answer made about twenty sequential round
 * trips, most of them independent reads, and on a busy machine each costs a scheduling delay or two.
 *
 * A row read through JSON has the same shape as a row read directly, except that bigint becomes a
 * number (`num` takes either; every seq and position fits a double) and timestamps become strings.
 * Rows keep the read's order (`json_agg` aggregates its subquery's output as it comes). A read's SQL
 * must be one SELECT whose text has no `$` but its parameters. One failed read fails them all, which
 * fails the transaction anyway.
 */
export class BatchedQuery {
  /** Reads asked for since the last flush. */
  private queued: QueuedRead[] = [];

  constructor(private readonly em: EntityManager) {}

  rows(sql: string, values: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
    return new Promise((resolve, reject) => {
      this.queued.push({ sql, values, resolve, reject });
      // After the promise jobs already queued, as DataLoader waits: reads started by the same
      // Promise.all, each after a few awaits of its own, still meet here.
      if (this.queued.length === 1)
        void Promise.resolve().then(() => {
          process.nextTick(() => {
            this.flush();
          });
        });
    });
  }

  private flush(): void {
    const batch = this.queued;
    this.queued = [];
    const [only] = batch;
    if (only !== undefined && batch.length === 1) {
      rowsOf(this.em.query(only.sql, [...only.values])).then(only.resolve, only.reject);
      return;
    }
    const values: unknown[] = [];
    const columns = batch.map((read, i) => {
      const offset = values.length;
      values.push(...read.values);
      const sql = read.sql.replace(/\$(\d+)/g, (_, n: string) => `$${String(Number(n) + offset)}`);
      return `(SELECT coalesce(json_agg(r), '[]') FROM (${sql}) r) AS r${String(i)}`;
    });
    rowsOf(this.em.query(`SELECT ${columns.join(', ')}`, values)).then(
      ([row]) => {
        batch.forEach((read, i) => {
          read.resolve((row?.[`r${String(i)}`] as Record<string, unknown>[] | undefined) ?? []);
        });
      },
      (err: unknown) => {
        for (const read of batch) read.reject(err);
      },
    );
  }
}
