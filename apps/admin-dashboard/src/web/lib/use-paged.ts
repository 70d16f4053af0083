import { useEffect, useState } from 'react';
import { FIRST_PAGE, PAGE_SIZE, pageQuery, pagerState, rangeLabel, type PagePosition } from './pagination';
import { useAsync, type AsyncState } from './use-async';

export interface ListAnswer<T> {
  meta?: { count: number };
  data?: T[];
  links: { next?: string; prev?: string };
}

export interface Paged<T> {
  state: AsyncState<ListAnswer<T>>;
  reload: () => void;
  range: string;
  onPrevious: (() => void) | null;
  onNext: (() => void) | null;
}

/**
 * A cursor-paginated list: back to the first page whenever the filters (`filterKey`) change; the
 * range shown is counted from the first page as the person moves through it.
 */
export function usePaged<T>(
  fetchPage: (page: ReturnType<typeof pageQuery>) => Promise<ListAnswer<T>>,
  filterKey: string,
  size = PAGE_SIZE,
): Paged<T> {
  const [where, setWhere] = useState<{ key: string; position: PagePosition; offset: number }>({
    key: filterKey,
    position: FIRST_PAGE,
    offset: 0,
  });
  // New filters: the old cursor means nothing in the new list.
  const current = where.key === filterKey ? where : { key: filterKey, position: FIRST_PAGE, offset: 0 };
  useEffect(() => {
    if (where.key !== filterKey) setWhere({ key: filterKey, position: FIRST_PAGE, offset: 0 });
  }, [filterKey, where.key]);
  const position = current.position;
  const [state, reload] = useAsync(
    () => fetchPage(pageQuery(position, size)),
    `${filterKey}|${JSON.stringify(position)}`,
  );
  const shown = state.status === 'done' ? (state.value.data?.length ?? 0) : 0;
  const { previous, next } =
    state.status === 'done' ? pagerState(state.value.links) : { previous: null, next: null };
  const count = state.status === 'done' ? state.value.meta?.count : undefined;
  return {
    state,
    reload,
    range: state.status === 'done' ? rangeLabel(shown, count, current.offset) : '',
    onPrevious:
      previous === null
        ? null
        : () => {
            setWhere({ key: filterKey, position: previous, offset: Math.max(0, current.offset - size) });
          },
    onNext:
      next === null
        ? null
        : () => {
            setWhere({ key: filterKey, position: next, offset: current.offset + shown });
          },
  };
}
