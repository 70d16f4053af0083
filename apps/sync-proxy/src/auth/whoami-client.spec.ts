import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhoamiClient } from './whoami-client';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function json(status: number, body: unknown): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}

/** The fake homeserver's behaviour, chosen by the token the test sends. */
const byToken: Record<string, Handler> = {
  alice: json(200, { user_id: '@alice:example.org', device_id: 'ADEVICE', is_guest: false }),
  appservice: json(200, { user_id: '@bridge:example.org' }),
  expired: json(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Access token has expired', soft_logout: true }),
  revoked: json(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Unknown access token' }),
  deactivated: json(403, { errcode: 'M_USER_DEACTIVATED', error: 'This account has been deactivated' }),
  novel: json(403, { errcode: 'ORG_EXAMPLE_NEW_REFUSAL', error: 'Refused for a reason of its own' }),
  forbidden: json(403, { errcode: 'M_FORBIDDEN', error: 'Not allowed' }),
  broken: json(500, { errcode: 'M_UNKNOWN', error: 'Internal server error' }),
  html401: (_req, res) => {
    res.writeHead(401, { 'content-type': 'text/html' });
    res.end('<html>Authorization Required</html>');
  },
  html200: (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>hello</html>');
  },
  huge: (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ user_id: '@a:b', device_id: 'D', pad: 'x'.repeat(70 * 1024) }));
  },
  redirect: (_req, res) => {
    res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
    res.end();
  },
  hang: () => {
    // Never answers; the client's timeout must end the call.
  },
};

let server: Server;
let base: string;
const seen: { path: string | undefined; auth: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const auth = req.headers.authorization;
    seen.push({ path: req.url, auth });
    const handler = byToken[auth?.replace(/^Bearer /, '') ?? ''] ?? json(404, { errcode: 'M_UNRECOGNIZED' });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe(WhoamiClient.name, () => {
  it('returns the user and device for a valid token, sent as a Bearer header', async () => {
    seen.length = 0;
    const client = new WhoamiClient(`${base}/`);
    expect(await client.whoami('alice')).toEqual({
      ok: true,
      userId: '@alice:example.org',
      deviceId: 'ADEVICE',
    });
    expect(seen).toEqual([{ path: '/_matrix/client/v3/account/whoami', auth: 'Bearer alice' }]);
  });

  it('reports a valid token without a device', async () => {
    expect(await new WhoamiClient(base).whoami('appservice')).toEqual({
      ok: false,
      kind: 'no-device',
      userId: '@bridge:example.org',
    });
  });

  it('passes on a 401 with soft_logout', async () => {
    expect(await new WhoamiClient(base).whoami('expired')).toEqual({
      ok: false,
      kind: 'unknown-token',
      softLogout: true,
      errcode: 'M_UNKNOWN_TOKEN',
      error: 'Access token has expired',
    });
    expect(await new WhoamiClient(base).whoami('revoked')).toMatchObject({
      kind: 'unknown-token',
      softLogout: false,
    });
  });

  it('maps a 403 with an errcode the gateway does not know to M_UNKNOWN_TOKEN', async () => {
    expect(await new WhoamiClient(base).whoami('novel')).toEqual({
      ok: false,
      kind: 'forbidden',
      softLogout: false,
      errcode: 'M_UNKNOWN_TOKEN',
      error: 'Refused for a reason of its own',
    });
  });

  it("keeps Synapse's M_USER_DEACTIVATED for a deactivated account", async () => {
    expect(await new WhoamiClient(base).whoami('deactivated')).toMatchObject({
      kind: 'forbidden',
      errcode: 'M_USER_DEACTIVATED',
    });
  });

  it('keeps a 403 errcode the gateway knows', async () => {
    expect(await new WhoamiClient(base).whoami('forbidden')).toMatchObject({
      kind: 'forbidden',
      errcode: 'M_FORBIDDEN',
    });
  });

  it.each(['broken', 'html401', 'html200', 'huge', 'redirect', 'nobody'])(
    'calls a %s answer unreachable',
    async (token) => {
      expect(await new WhoamiClient(base).whoami(token)).toMatchObject({ ok: false, kind: 'unreachable' });
    },
  );

  it('gives up on a homeserver that never answers', async () => {
    const started = Date.now();
    expect(await new WhoamiClient(base, 200).whoami('hang')).toMatchObject({
      ok: false,
      kind: 'unreachable',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('calls a refused connection unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await new WhoamiClient(`http://127.0.0.1:${port}`).whoami('alice');
    expect(result).toMatchObject({ ok: false, kind: 'unreachable' });
    expect(JSON.stringify(result)).not.toContain('alice');
  });

  it('refuses a token that cannot be a header without sending it', async () => {
    seen.length = 0;
    expect(await new WhoamiClient(base).whoami('bad\ntoken')).toMatchObject({
      ok: false,
      kind: 'unknown-token',
      errcode: 'M_UNKNOWN_TOKEN',
    });
    expect(seen).toEqual([]);
  });
});
