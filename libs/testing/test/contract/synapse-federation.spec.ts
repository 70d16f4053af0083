import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynapse, type RegisteredUser, type Synapse } from '../../src';

// `federation: true`: two Synapses of the bed federate over TLS on loopback, so a message sent on one
// reaches a user of the other.
describe('Synapse test bed (federation)', () => {
  let one: Synapse;
  let two: Synapse;
  let alice: RegisteredUser;
  let bob: RegisteredUser;

  beforeAll(async () => {
    [one, two] = await Promise.all([
      startSynapse({ mode: 'plain', federation: true }),
      startSynapse({ mode: 'plain', federation: true }),
    ]);
    [alice, bob] = await Promise.all([one.registerUser('alice'), two.registerUser('bob')]);
  });
  afterAll(async () => {
    await Promise.all([one.stop(), two.stop()]);
  });

  const call = async (hs: Synapse, user: RegisteredUser, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${hs.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${user.accessToken}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, unknown>;
    expect(res.status, `${method} ${path}: ${JSON.stringify(json)}\n${hs.logTail(20)}`).toBe(200);
    return json;
  };

  it('names each server after its TLS federation listener', () => {
    expect(one.serverName).toBe(`127.0.0.1:${String(one.federationPort)}`);
    expect(alice.userId).toBe(`@alice:${one.serverName}`);
    expect(one.federationPort).not.toBe(two.federationPort);
  });

  it('delivers a message sent on one server to a user of the other who joined over federation', async () => {
    const roomId = (
      await call(one, alice, 'POST', '/_matrix/client/v3/createRoom', { preset: 'public_chat' })
    ).room_id as string;
    const room = encodeURIComponent(roomId);
    await call(
      two,
      bob,
      'POST',
      `/_matrix/client/v3/join/${room}?server_name=${encodeURIComponent(one.serverName)}`,
      {},
    );
    await call(one, alice, 'PUT', `/_matrix/client/v3/rooms/${room}/send/m.room.message/t1`, {
      msgtype: 'm.text',
      body: 'over federation',
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const messages = await call(
        two,
        bob,
        'GET',
        `/_matrix/client/v3/rooms/${room}/messages?dir=b&limit=20`,
      );
      const bodies = (messages.chunk as { content?: { body?: string } }[]).map((e) => e.content?.body);
      if (bodies.includes('over federation')) break;
      expect(Date.now(), two.logTail(20)).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 60_000);
});
