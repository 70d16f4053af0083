import type { paths } from './admin-api';

type Method = 'get' | 'post' | 'put' | 'delete';
type Json = 'application/json';

/** The operation at a path and method of the generated document (never when there is none). */
type Op<P extends keyof paths, M extends Method> = paths[P][M];
export type PathsWith<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never;
}[keyof paths];

type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? Q : never;
type PathParamsOf<O> = O extends { parameters: { path: infer P } } ? P : never;
type BodyOf<O> = O extends { requestBody?: { content: { [K in Json]: infer B } } } ? B : never;
/** The body of the success answer (200 or 201); null for 204. */
export type OkOf<O> = O extends { responses: infer R }
  ? R extends { 200: { content: { [K in Json]: infer J } } }
    ? J
    : R extends { 201: { content: { [K in Json]: infer J } } }
      ? J
      : null
  : never;

export type Answer<P extends PathsWith<M>, M extends Method = 'get'> = OkOf<Op<P, M>>;

export interface CallOptions<O> {
  path?: PathParamsOf<O>;
  query?: QueryOf<O>;
  body?: BodyOf<O>;
}

/** An admin API refusal, with the titles of its errors (what the page shows). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly titles: string[],
  ) {
    super(titles.join('; ') || `The admin API answered ${status}`);
    this.name = 'ApiError';
  }
}

/** The URL of an operation: `{id}` placeholders filled in, query parameters in document order. */
export function operationUrl(
  template: string,
  path: Record<string, string> | undefined,
  query: Record<string, string | number | boolean | undefined> | undefined,
): string {
  const filled = template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = path?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs === '' ? filled : `${filled}?${qs}`;
}

export type TokenSource = (forceRefresh: boolean) => Promise<string>;

/**
 * A JSON API reached through the dashboard's own origin under a base path: the auth service's admin API
 * (`/api/admin/v1`, typed by AdminApi), the RTC service's (`/api/rtc/v1`), the sync proxy's
 * (`/api/sync/v1`) and the dashboard server's sampled metrics (`/api/metrics/v1`). Every call carries the
 * person's token; an expired one is refreshed once and the call repeated.
 */
export class JsonClient {
  constructor(
    private readonly token: TokenSource,
    /** Prepended to every path; no trailing slash. */
    readonly base: string,
  ) {}

  request(
    method: string,
    path: string,
    options: { query?: Record<string, string | number | boolean | undefined>; body?: unknown } = {},
  ): Promise<unknown> {
    return sendJson(
      this.token,
      method,
      operationUrl(`${this.base}${path}`, undefined, options.query),
      options.body,
    );
  }
}

/**
 * The admin API, typed by the generated document: a path that does not exist, a missing parameter or a
 * wrong body does not compile. The document's paths already start with `/api/admin/v1`.
 */
export class AdminApi {
  private readonly client: JsonClient;

  constructor(token: TokenSource) {
    this.client = new JsonClient(token, '');
  }

  get<P extends PathsWith<'get'>>(path: P, options: CallOptions<Op<P, 'get'>> = {}): Promise<Answer<P>> {
    return this.call('GET', path, options) as Promise<Answer<P>>;
  }

  post<P extends PathsWith<'post'>>(
    path: P,
    options: CallOptions<Op<P, 'post'>> = {},
  ): Promise<Answer<P, 'post'>> {
    return this.call('POST', path, options) as Promise<Answer<P, 'post'>>;
  }

  put<P extends PathsWith<'put'>>(
    path: P,
    options: CallOptions<Op<P, 'put'>> = {},
  ): Promise<Answer<P, 'put'>> {
    return this.call('PUT', path, options) as Promise<Answer<P, 'put'>>;
  }

  delete<P extends PathsWith<'delete'>>(
    path: P,
    options: CallOptions<Op<P, 'delete'>> = {},
  ): Promise<Answer<P, 'delete'>> {
    return this.call('DELETE', path, options) as Promise<Answer<P, 'delete'>>;
  }

  /** A list page by the link the API gave (`links.next`, `links.prev`): the filters are in it. */
  async follow<T>(link: string): Promise<T> {
    if (!link.startsWith('/api/admin/v1/')) throw new Error(`not an admin API link: ${link}`);
    return (await this.client.request('GET', link)) as T;
  }

  private call(
    method: string,
    template: string,
    options: { path?: unknown; query?: unknown; body?: unknown },
  ): Promise<unknown> {
    // The path parameters are filled in here; the query is the client's to add.
    const path = operationUrl(template, options.path as Record<string, string> | undefined, undefined);
    return this.client.request(method, path, {
      query: options.query as Record<string, string | number | boolean | undefined> | undefined,
      body: options.body,
    });
  }
}

/**
 * One call with the person's token as Bearer: an expired token is refreshed once and the call repeated;
 * a refusal becomes an ApiError with the titles of the `{errors: [{title}]}` answer.
 */
async function sendJson(token: TokenSource, method: string, url: string, body: unknown): Promise<unknown> {
  const fetchOnce = async (refresh: boolean): Promise<Response> => {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${await token(refresh)}`,
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  };
  let res = await fetchOnce(false);
  if (res.status === 401) res = await fetchOnce(true);
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch (err) {
    // A refusal that is not JSON (a proxy's error page) is told by its status alone.
    if (res.ok) throw err;
  }
  if (!res.ok) {
    const errors = (json as { errors?: { title?: unknown }[] } | null)?.errors ?? [];
    throw new ApiError(
      res.status,
      errors.map((e) => (typeof e.title === 'string' ? e.title : '')).filter((t) => t !== ''),
    );
  }
  return json;
}
