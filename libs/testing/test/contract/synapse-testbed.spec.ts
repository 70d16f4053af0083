import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynapse, type Synapse } from '../../src';

// Proves the test bed itself: a real Synapse in plain mode, a registered user, and the OpenID round
// trip the RTC service depends on (sytest's tests/45openid.pl, ported).
describe('Synapse test bed (plain mode)', () => {
  let synapse: Synapse;
  beforeAll(async () => {
    synapse = await startSynapse({ mode: 'plain' });
  });
  afterAll(async () => {
    await synapse.stop();
  });

  it('registers a user who can call whoami', async () => {
    const alice = await synapse.registerUser('alice');
    expect(alice.userId).toBe('@alice:localhost');
    const res = await fetch(`${synapse.baseUrl}/_matrix/client/v3/account/whoami`, {
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user_id: '@alice:localhost', device_id: alice.deviceId });
  });

  it('issues an OpenID token that resolves over the federation userinfo endpoint', async () => {
    const bob = await synapse.registerUser('bob');
    const res = await fetch(
      `${synapse.baseUrl}/_matrix/client/v3/user/${encodeURIComponent(bob.userId)}/openid/request_token`,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${bob.accessToken}`, 'Content-Type': 'application/json' },
        body: '{}',
      },
    );
    expect(res.status).toBe(200);
    const token = (await res.json()) as {
      access_token: string;
      token_type: string;
      matrix_server_name: string;
      expires_in: number;
    };
    expect(token).toMatchObject({ token_type: 'Bearer', matrix_server_name: 'localhost' });
    expect(token.expires_in).toBeGreaterThan(0);

    const info = await fetch(
      `${synapse.baseUrl}/_matrix/federation/v1/openid/userinfo?access_token=${encodeURIComponent(token.access_token)}`,
    );
    expect(info.status).toBe(200);
    expect(await info.json()).toEqual({ sub: '@bob:localhost' });
  });

  it('refuses an unknown OpenID token with 401 M_UNKNOWN_TOKEN', async () => {
    const info = await fetch(`${synapse.baseUrl}/_matrix/federation/v1/openid/userinfo?access_token=nope`);
    expect(info.status).toBe(401);
    expect(await info.json()).toMatchObject({ errcode: 'M_UNKNOWN_TOKEN' });
  });

  it('lifts Synapse rate limits so tests can create many rooms quickly', async () => {
    const carol = await synapse.registerUser('carol');
    const statuses = await Promise.all(
      Array.from({ length: 15 }, async () => {
        const res = await fetch(`${synapse.baseUrl}/_matrix/client/v3/createRoom`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${carol.accessToken}`, 'Content-Type': 'application/json' },
          body: '{}',
        });
        return res.status;
      }),
    );
    expect(statuses).toEqual(Array<number>(15).fill(200));
  });
});

// bench/sync keeps a seeded homeserver between runs this way (seeding 10,000 rooms takes many minutes).
describe('Synapse test bed: save and restore', () => {
  it('starts a second homeserver from a saved one, with its users, tokens and rooms', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synapse-saved-'));
    const first = await startSynapse({ mode: 'plain' });
    let second: Synapse | undefined;
    try {
      const dora = await first.registerUser('dora');
      const auth = { Authorization: `Bearer ${dora.accessToken}`, 'Content-Type': 'application/json' };
      const created = await fetch(`${first.baseUrl}/_matrix/client/v3/createRoom`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ name: 'kept' }),
      });
      const { room_id: roomId } = (await created.json()) as { room_id: string };
      await first.save(dir);
      // The saved one is running again after the save.
      const again = await fetch(`${first.baseUrl}/_matrix/client/v3/account/whoami`, { headers: auth });
      expect(again.status).toBe(200);
      await first.stop();

      second = await startSynapse({ mode: 'plain', restoreFrom: dir });
      const whoami = await fetch(`${second.baseUrl}/_matrix/client/v3/account/whoami`, { headers: auth });
      expect(await whoami.json()).toMatchObject({ user_id: dora.userId, device_id: dora.deviceId });
      const joined = await fetch(`${second.baseUrl}/_matrix/client/v3/joined_rooms`, { headers: auth });
      expect(await joined.json()).toEqual({ joined_rooms: [roomId] });
      const name = await fetch(
        `${second.baseUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.name/`,
        { headers: auth },
      );
      expect(await name.json()).toEqual({ name: 'kept' });
    } finally {
      await first.stop();
      await second?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
