import { afterEach, describe, expect, it, vi } from 'vitest';
import { AdminApi, ApiError, JsonClient } from './client';

afterEach(() => {
  vi.unstubAllGlobals();
});

interface Call {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string | undefined;
}

/** The dashboard server as the client reaches it: the answers in order, the calls recorded. */
function serve(answers: Response[]): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    calls.push({
      method: init.method ?? 'GET',
      url,
      authorization: headers['Authorization'],
      body: init.body as string | undefined,
    });
    const next = answers.shift();
    return next === undefined ? Promise.reject(new Error('unexpected call')) : Promise.resolve(next);
  });
  return calls;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** Tokens as the session hands them out: a fresh one when forced. */
function tokens() {
  let n = 0;
  return (force: boolean) => Promise.resolve(force ? `fresh-${++n}` : 'current');
}

describe('JsonClient', () => {
  it('puts its base path and the query in the URL, and the token in the header', async () => {
    const calls = serve([json(200, { data: [] })]);
    const client = new JsonClient(tokens(), '/api/sync/v1');
    expect(
      await client.request('GET', '/pollers', { query: { 'page[first]': 5, 'filter[user]': '' } }),
    ).toEqual({ data: [] });
    expect(calls).toEqual([
      {
        method: 'GET',
        url: '/api/sync/v1/pollers?page%5Bfirst%5D=5',
        authorization: 'Bearer current',
        body: undefined,
      },
    ]);
  });

  it('refreshes the token once on a 401 and repeats the call', async () => {
    const calls = serve([json(401, { errors: [] }), new Response(null, { status: 204 })]);
    const client = new JsonClient(tokens(), '/api/rtc/v1');
    expect(await client.request('DELETE', '/rooms/r/participants/p')).toBeNull();
    expect(calls.map((c) => c.authorization)).toEqual(['Bearer current', 'Bearer fresh-1']);
  });

  it('gives up after one refresh, with the titles of the refusal', async () => {
    serve([json(401, { errors: [] }), json(401, { errors: [{ title: 'Invalid access token' }] })]);
    const err = await new JsonClient(tokens(), '/api/metrics/v1')
      .request('GET', '/series')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect((err as ApiError).titles).toEqual(['Invalid access token']);
  });

  it('tells a refusal that is not JSON by its status alone', async () => {
    serve([new Response('<html>Bad gateway</html>', { status: 502 })]);
    const err = await new JsonClient(tokens(), '/api/rtc/v1')
      .request('GET', '/rooms')
      .catch((e: unknown) => e);
    expect(err).toEqual(new ApiError(502, []));
    expect((err as ApiError).message).toBe('The admin API answered 502');
  });
});

describe('AdminApi', () => {
  it('fills the path parameters, adds the query and sends the body as JSON, through the same client', async () => {
    const calls = serve([json(200, { data: { id: 'u1' } })]);
    const api = new AdminApi(tokens());
    await api.post('/api/admin/v1/users/{id}/set-password', {
      path: { id: 'a/b' },
      body: { password: 'a long passphrase' },
    });
    expect(calls).toEqual([
      {
        method: 'POST',
        url: '/api/admin/v1/users/a%2Fb/set-password',
        authorization: 'Bearer current',
        body: JSON.stringify({ password: 'a long passphrase' }),
      },
    ]);
  });

  it('deletes with a DELETE to the filled path, and an empty answer is null', async () => {
    const calls = serve([new Response(null, { status: 204 })]);
    const api = new AdminApi(tokens());
    expect(await api.delete('/api/admin/v1/upstream-oauth-links/{id}', { path: { id: 'l1' } })).toBeNull();
    expect(calls).toEqual([
      {
        method: 'DELETE',
        url: '/api/admin/v1/upstream-oauth-links/l1',
        authorization: 'Bearer current',
        body: undefined,
      },
    ]);
  });

  it('follows only the admin API’s own links', async () => {
    const api = new AdminApi(tokens());
    await expect(api.follow('/api/rtc/v1/rooms')).rejects.toThrow('not an admin API link');
  });
});
