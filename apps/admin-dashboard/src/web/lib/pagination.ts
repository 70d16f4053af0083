/**
 * Cursor pagination over the admin API (MAS's `page[first]`/`page[after]`, `page[last]`/`page[before]`):
 * where a list stands, what to ask for, and where its links lead.
 */
export type PagePosition =
  | { kind: 'first' }
  | { kind: 'after'; cursor: string }
  | { kind: 'before'; cursor: string }
  | { kind: 'last' };

export const PAGE_SIZE = 20;

export const FIRST_PAGE: PagePosition = { kind: 'first' };

/** The page parameters for a position. */
export function pageQuery(
  position: PagePosition,
  size = PAGE_SIZE,
): { 'page[first]'?: number; 'page[last]'?: number; 'page[after]'?: string; 'page[before]'?: string } {
  switch (position.kind) {
    case 'first':
      return { 'page[first]': size };
    case 'after':
      return { 'page[first]': size, 'page[after]': position.cursor };
    case 'before':
      return { 'page[last]': size, 'page[before]': position.cursor };
    case 'last':
      return { 'page[last]': size };
  }
}

/** Where a list link (`links.next`, `links.prev`) leads; null when it carries no cursor. */
export function positionOfLink(link: string | undefined): PagePosition | null {
  if (link === undefined) return null;
  const params = new URL(link, 'http://link.invalid').searchParams;
  const after = params.get('page[after]');
  if (after !== null) return { kind: 'after', cursor: after };
  const before = params.get('page[before]');
  if (before !== null) return { kind: 'before', cursor: before };
  return null;
}

export interface ListLinks {
  next?: string;
  prev?: string;
}

/** The pager's buttons: which way one can go from this page. */
export function pagerState(links: ListLinks | undefined): {
  previous: PagePosition | null;
  next: PagePosition | null;
} {
  return { previous: positionOfLink(links?.prev), next: positionOfLink(links?.next) };
}

/** "21–40 of 95": the range shown, counted from the start when the page's place is known. */
export function rangeLabel(shown: number, count: number | undefined, offset: number | null): string {
  if (shown === 0) return count === undefined ? 'Nothing here' : `0 of ${count}`;
  const total = count === undefined ? '' : ` of ${count}`;
  if (offset === null) return `${shown} shown${total}`;
  return `${offset + 1}–${offset + shown}${total}`;
}
