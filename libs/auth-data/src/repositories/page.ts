import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * One page of a list ordered by a text-comparable key (the admin API's cursor pagination, MAS's
 * `page[first|last|before|after]`): `first` counts forward from `after`, `last` backwards from `before`.
 */
export interface PageRequest {
  first?: number;
  last?: number;
  before?: string;
  after?: string;
}

export interface Page<T> {
  items: T[];
  /** More rows exist past the last item of the page. */
  hasNext: boolean;
  /** More rows exist before the first item of the page. */
  hasPrevious: boolean;
}

/** Applies the page window to `qb` (already filtered), ordered by `keyColumn`, and runs it. */
export async function fetchPage<E extends ObjectLiteral>(
  qb: SelectQueryBuilder<E>,
  keyColumn: string,
  page: PageRequest,
): Promise<Page<E>> {
  if (page.after !== undefined) qb.andWhere(`${keyColumn} > :pageAfter`, { pageAfter: page.after });
  if (page.before !== undefined) qb.andWhere(`${keyColumn} < :pageBefore`, { pageBefore: page.before });
  const backwards = page.last !== undefined;
  const size = page.last ?? page.first ?? 10;
  // One row more than asked tells whether another page follows, without a second query.
  const rows = await qb
    .orderBy(keyColumn, backwards ? 'DESC' : 'ASC')
    .limit(size + 1)
    .getMany();
  const more = rows.length > size;
  const items = rows.slice(0, size);
  if (backwards) items.reverse();
  return backwards
    ? { items, hasPrevious: more, hasNext: page.before !== undefined }
    : { items, hasNext: more, hasPrevious: page.after !== undefined };
}
