import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenVerifier } from 'livekit-server-sdk';

/**
 * LiveKit's RoomService as far as the RTC service calls it (Twirp JSON: CreateRoom, ListRooms), since
 * no LiveKit server runs here. Calls must carry a token signed with the API secret, as LiveKit checks.
 */
export async function startFakeLiveKit(
  key: string,
  secret: string,
): Promise<{ url: string; createdRooms: string[]; stop: () => Promise<void> }> {
  const verifier = new TokenVerifier(key, secret);
  const createdRooms: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const reply = (status: number, body: unknown): void => {
          res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
        };
        try {
          await verifier.verify((req.headers.authorization ?? '').replace(/^Bearer /, ''));
        } catch {
          reply(401, { code: 'unauthenticated', msg: 'invalid token' });
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { name?: string };
        if (req.url === '/twirp/livekit.RoomService/CreateRoom') {
          createdRooms.push(String(body.name));
          reply(200, { sid: 'RM_fake', name: body.name });
        } else if (req.url === '/twirp/livekit.RoomService/ListRooms') {
          reply(200, { rooms: [] });
        } else {
          reply(404, { code: 'bad_route', msg: 'no such method' });
        }
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    createdRooms,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
