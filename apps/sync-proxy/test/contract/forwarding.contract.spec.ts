import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSynapse, type RegisteredUser, type Synapse } from '@gateway/testing';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

// The proxy as the client-facing homeserver URL in front of a real Synapse: everything that is not its
// own passes through unchanged — statuses, errors, headers, bodies in both directions.
describe('sync-proxy in front of Synapse', () => {
  let synapse: Synapse;
  let proxy: ProxyUnderTest;
  let alice: RegisteredUser;

  beforeAll(async () => {
    synapse = await startSynapse({ mode: 'plain' });
    proxy = await startProxy(synapse.baseUrl, { SYNCV3_PROM: '127.0.0.1:0' });
    alice = await synapse.registerUser('alice');
  });
  afterAll(async () => {
    await proxy.stop();
    await synapse.stop();
  });

  const api = (path: string, init: RequestInit = {}, token = alice.accessToken) =>
    fetch(`${proxy.url}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        ...(init.headers as Record<string, string>),
      },
    });

  it('answers /versions as the homeserver does', async () => {
    const direct = await (await fetch(`${synapse.baseUrl}/_matrix/client/versions`)).json();
    const proxied = await fetch(`${proxy.url}/_matrix/client/versions`);
    expect(proxied.status).toBe(200);
    expect(await proxied.json()).toEqual(direct);
  });

  it('carries a whole client session: registration with interactive auth, rooms, messages, /v3/sync', async () => {
    const first = await fetch(`${proxy.url}/_matrix/client/v3/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'bob', password: 'bob password 1' }),
    });
    expect(first.status).toBe(401);
    const { session } = (await first.json()) as { session: string };
    const done = await fetch(`${proxy.url}/_matrix/client/v3/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        username: 'bob',
        password: 'bob password 1',
        auth: { type: 'm.login.dummy', session },
      }),
    });
    expect(done.status).toBe(200);
    const bob = (await done.json()) as { access_token: string; user_id: string };
    expect(bob.user_id).toBe('@bob:localhost');

    const room = (await (
      await api('/_matrix/client/v3/createRoom', {
        method: 'POST',
        body: JSON.stringify({ name: 'through the proxy' }),
      })
    ).json()) as { room_id: string };
    const txn = randomBytes(4).toString('hex');
    const sent = await api(
      `/_matrix/client/v3/rooms/${encodeURIComponent(room.room_id)}/send/m.room.message/${txn}`,
      { method: 'PUT', body: JSON.stringify({ msgtype: 'm.text', body: 'hello via proxy' }) },
    );
    expect(sent.status).toBe(200);
    const sync = (await (await api('/_matrix/client/v3/sync?timeout=0')).json()) as {
      rooms: { join: Record<string, { timeline: { events: { content: { body?: string } }[] } }> };
    };
    const bodies = sync.rooms.join[room.room_id]!.timeline.events.map((e) => e.content.body);
    expect(bodies).toContain('hello via proxy');
  });

  it('passes errors through unchanged', async () => {
    const unknown = await api('/_matrix/client/v3/nonexistent');
    const direct = await fetch(`${synapse.baseUrl}/_matrix/client/v3/nonexistent`, {
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
    expect(unknown.status).toBe(direct.status);
    expect(await unknown.json()).toEqual(await direct.json());
    const badToken = await api('/_matrix/client/v3/account/whoami', {}, 'not-a-token');
    expect(badToken.status).toBe(401);
    expect(await badToken.json()).toMatchObject({ errcode: 'M_UNKNOWN_TOKEN' });
  });

  it('streams binary bodies both ways (a 3 MB media upload and download)', async () => {
    const bytes = randomBytes(3 * 1024 * 1024);
    const up = await fetch(`${proxy.url}/_matrix/media/v3/upload?filename=blob.bin`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.accessToken}`, 'Content-Type': 'application/octet-stream' },
      body: bytes,
    });
    expect(up.status).toBe(200);
    const { content_uri } = (await up.json()) as { content_uri: string };
    const mediaId = content_uri.split('/').pop()!;
    const down = await api(`/_matrix/client/v1/media/download/localhost/${mediaId}`);
    expect(down.status).toBe(200);
    expect(Buffer.from(await down.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('keeps its own health, readiness and metrics, counting what it forwarded', async () => {
    expect(await (await fetch(`${proxy.url}/health`)).json()).toEqual({ status: 'ok' });
    expect((await (await fetch(`${proxy.url}/ready`)).json()) as object).toMatchObject({
      checks: { upstream: 'ok', database: 'ok' },
    });
    // Not on the client port (it would be forwarded to the homeserver's 404 otherwise): SYNCV3_PROM only.
    expect((await fetch(`${proxy.url}/metrics`)).status).toBe(404);
    expect(await (await fetch(`${proxy.metricsUrl!}/metrics`)).text()).toMatch(
      /sync_proxy_forwarded_requests_total\{method="POST",status="200"\} [1-9]/,
    );
  });

  it('answers 502 M_UNKNOWN when the homeserver cannot be reached', async () => {
    const dead = await startProxy(`http://127.0.0.1:${await freePort()}`, {}, { failingCheck: 'upstream' });
    try {
      const res = await fetch(`${dead.url}/_matrix/client/versions`);
      expect(res.status).toBe(502);
      expect(await res.json()).toEqual({
        errcode: 'M_UNKNOWN',
        error: 'The homeserver could not be reached',
      });
      // Not ready, and for the homeserver alone: the database is connected and migrated.
      const ready = await fetch(`${dead.url}/ready`);
      expect(ready.status).toBe(503);
      const { checks } = (await ready.json()) as { checks: Record<string, string> };
      expect(checks['upstream']).not.toBe('ok');
      expect(Object.entries(checks).filter(([, result]) => result !== 'ok')).toHaveLength(1);
    } finally {
      await dead.stop();
    }
  });
});
