import { z } from 'zod';
import type { AuthStore, Page, PageRequest, User } from '@gateway/auth-data';
import { AdminApiError } from '@gateway/server';
import { notFound } from './not-found';
import { ADMIN_PREFIX } from './operation';

/**
 * The JSON:API-like envelope MAS's admin API answers with: a resource is `{type, id, attributes, links}`,
 * a single answer `{data, links}`, a list `{meta: {count}, data: [...], links}` with cursor links.
 */

export const errorSchema = z
  .object({ errors: z.array(z.object({ title: z.string() })) })
  .meta({ title: 'Error', description: 'One or more errors, each with a human-readable title.' });

export const timestamp = () => z.iso.datetime({ offset: true });

/** A name or id looked up in Postgres, which cannot hold U+0000: refused as a bad value (400), not a 500. */
export const storableText = () =>
  z
    .string()
    .min(1)
    .max(255)
    .refine((v) => !v.includes('\u0000'), 'must not contain NUL');

const selfLink = z.object({ self: z.string() });

export function resourceSchema<A extends z.ZodObject>(type: string, attributes: A) {
  return z.object({ type: z.literal(type), id: z.string(), attributes, links: selfLink });
}

export function singleSchema<A extends z.ZodObject>(type: string, attributes: A) {
  return z.object({ data: resourceSchema(type, attributes), links: selfLink });
}

export function listSchema<A extends z.ZodObject>(type: string, attributes: A) {
  return z.object({
    meta: z.object({ count: z.number().int().min(0) }).optional(),
    data: z
      .array(
        resourceSchema(type, attributes).extend({
          meta: z.object({ page: z.object({ cursor: z.string() }) }),
        }),
      )
      .optional(),
    links: z.object({
      self: z.string(),
      first: z.string(),
      last: z.string(),
      next: z.string().optional(),
      prev: z.string().optional(),
    }),
  });
}

const pageSize = z.coerce
  .number()
  .int()
  .min(1)
  .max(1000)
  .optional()
  .meta({ description: 'Page size (1–1000, default 10).' });

/** MAS's pagination parameters, and `count=true|false|only`. */
export const paginationQuery = {
  'page[first]': pageSize,
  'page[last]': pageSize,
  'page[before]': z.string().min(1).optional().meta({ description: 'Cursor: items before this one.' }),
  'page[after]': z.string().min(1).optional().meta({ description: 'Cursor: items after this one.' }),
  count: z
    .enum(['true', 'false', 'only'])
    .optional()
    .meta({ description: 'Include the total count (`true`, default), omit it, or answer only the count.' }),
};

export interface PaginationInput {
  'page[first]'?: number | undefined;
  'page[last]'?: number | undefined;
  'page[before]'?: string | undefined;
  'page[after]'?: string | undefined;
  count?: 'true' | 'false' | 'only' | undefined;
}

/** The page request, refusing `first` together with `last` as MAS does. */
export function pageRequest(
  q: PaginationInput,
  cursor: (value: string) => boolean = () => true,
): PageRequest {
  if (q['page[first]'] !== undefined && q['page[last]'] !== undefined)
    throw new AdminApiError(400, 'Invalid query: page[first] and page[last] are mutually exclusive');
  for (const key of ['page[before]', 'page[after]'] as const) {
    const value = q[key];
    if (value !== undefined && !cursor(value))
      throw new AdminApiError(400, `Invalid query: ${key} is not a cursor`);
  }
  const page: PageRequest = {};
  if (q['page[first]'] !== undefined) page.first = q['page[first]'];
  if (q['page[last]'] !== undefined) page.last = q['page[last]'];
  if (q['page[before]'] !== undefined) page.before = q['page[before]'];
  if (q['page[after]'] !== undefined) page.after = q['page[after]'];
  return page;
}

export interface Resource<A> {
  type: string;
  id: string;
  attributes: A;
  links: { self: string };
}

export function resource<A>(type: string, collection: string, id: string, attributes: A): Resource<A> {
  return { type, id, attributes, links: { self: `${ADMIN_PREFIX}/${collection}/${encodeURIComponent(id)}` } };
}

export function single<A>(r: Resource<A>): { data: Resource<A>; links: { self: string } } {
  return { data: r, links: { self: r.links.self } };
}

/**
 * A list answer with MAS's links: `self` as asked, `first`/`last` with the filters kept, `next`/`prev`
 * when more items lie that way.
 */
export function list<T, A>(
  collection: string,
  query: Record<string, string | number | undefined>,
  page: Page<T> | null,
  count: number | null,
  toResource: (item: T) => Resource<A>,
) {
  const size = Number(query['page[first]'] ?? query['page[last]'] ?? 10);
  const filters: Record<string, string> = {};
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && !k.startsWith('page[') && k !== 'count') filters[k] = String(v);
  const link = (extra: Record<string, string | number | undefined>) => {
    const params = new URLSearchParams(filters);
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${ADMIN_PREFIX}/${collection}${qs === '' ? '' : `?${qs}`}`;
  };
  const self: Record<string, string | number | undefined> = {};
  for (const [k, v] of Object.entries(query)) if (k.startsWith('page[') || k === 'count') self[k] = v;
  const links: { self: string; first: string; last: string; next?: string; prev?: string } = {
    self: link(self),
    first: link({ 'page[first]': size }),
    last: link({ 'page[last]': size }),
  };
  const data = page?.items.map((item) => {
    const r = toResource(item);
    return { ...r, meta: { page: { cursor: r.id } } };
  });
  if (page && data) {
    const lastItem = data[data.length - 1];
    const firstItem = data[0];
    if (page.hasNext && lastItem) links.next = link({ 'page[after]': lastItem.id, 'page[first]': size });
    if (page.hasPrevious && firstItem)
      links.prev = link({ 'page[before]': firstItem.id, 'page[last]': size });
  }
  return {
    ...(count === null ? {} : { meta: { count } }),
    ...(data === undefined ? {} : { data }),
    links,
  };
}

/**
 * A list endpoint's answer: the total unless `count=false`, the page unless `count=only` (counted first,
 * as MAS does), in `list`'s envelope.
 */
export async function listAnswer<T, A>(
  collection: string,
  query: Record<string, unknown> & { count?: 'true' | 'false' | 'only' | undefined },
  fetch: { count: () => Promise<number>; page: () => Promise<Page<T>> },
  toResource: (item: T) => Resource<A>,
) {
  const count = query.count === 'false' ? null : await fetch.count();
  const items = query.count === 'only' ? null : await fetch.page();
  return list(collection, rawQuery(query), items, count, toResource);
}

/** The user an admin request names by ID (a filter, a body field), or MAS's 404 when there is none. */
export async function existingUser(users: Pick<AuthStore['users'], 'findById'>, id: string): Promise<User> {
  const user = await users.findById(id);
  if (!user) throw notFound('User', id);
  return user;
}

/** A `filter[user]`-like value as the user's ID, undefined when not given; 404 for an unknown user. */
export async function userFilter(
  users: Pick<AuthStore['users'], 'findById'>,
  id: string | undefined,
): Promise<string | undefined> {
  return id === undefined ? undefined : (await existingUser(users, id)).id;
}

/** The query as the links repeat it (parsed booleans back to their text). */
export function rawQuery(query: Record<string, unknown>): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {};
  for (const [k, v] of Object.entries(query))
    out[k] =
      typeof v === 'boolean' ? String(v) : typeof v === 'number' || typeof v === 'string' ? v : undefined;
  return out;
}
