import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OlderEvents } from './older-events';

const event = (n: number) => ({
  type: 'm.room.message',
  event_id: `$e${String(n)}`,
  sender: '@bob:hs',
  origin_server_ts: n,
  content: { body: String(n) },
});

describe(OlderEvents.name, () => {
  let server: Server | undefined;
  afterEach(async () => {
    const running = server;
    server = undefined;
    if (running !== undefined)
      await new Promise<void>((resolve) =>
        running.close(() => {
          resolve();
        }),
      );
  });

  async function upstream(status: number, body: unknown, seen: string[] = []): Promise<string> {
    server = createServer((req, res) => {
      seen.push(`${req.url ?? ''} ${req.headers.authorization ?? ''}`);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    const listening = server;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${String((listening.address() as AddressInfo).port)}`;
  }

  it('asks /messages backwards as the user and returns the page oldest first, malformed events dropped', async () => {
    const seen: string[] = [];
    const url = await upstream(
      200,
      { chunk: [event(3), { type: 'broken' }, event(2), event(1)], end: 't0' },
      seen,
    );
    const page = await new OlderEvents(url).fetch('tok', '!r:hs', 't3', 3);
    expect(page?.events.map((e) => e.event_id)).toEqual(['$e2', '$e3']);
    expect(page?.end).toBe('t0');
    expect(seen).toEqual(['/_matrix/client/v3/rooms/!r%3Ahs/messages?dir=b&from=t3&limit=3 Bearer tok']);
  });

  it('says nothing when the homeserver fails or answers nonsense, so the stored window is served', async () => {
    expect(
      await new OlderEvents(await upstream(500, { errcode: 'M_UNKNOWN' })).fetch('t', '!r:hs', 'x', 5),
    ).toBe(undefined);
    server?.close();
    expect(
      await new OlderEvents(await upstream(200, ['not', 'an', 'object'])).fetch('t', '!r:hs', 'x', 5),
    ).toBe(undefined);
    server?.close();
    server = undefined;
    expect(await new OlderEvents('http://127.0.0.1:9').fetch('t', '!r:hs', 'x', 5)).toBe(undefined);
  });
});
