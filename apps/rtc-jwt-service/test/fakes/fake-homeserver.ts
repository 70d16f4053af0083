import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { TEST_TLS_CERT, TEST_TLS_KEY } from '@gateway/testing';

/**
 * A real HTTP(S) server on 127.0.0.1 with a swappable handler, standing in for a homeserver in unit
 * tests: the code under test does its real socket work, the test decides what the "homeserver" says.
 */

// The shared test certificate (hs.example and 127.0.0.1); re-exported for the specs that trust it.
export { TEST_TLS_CERT, TEST_TLS_KEY };

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  host: string | undefined;
  /** The TLS SNI the client sent (https only). */
  servername: string | undefined;
}

export type FakeHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface FakeHomeserver {
  /** e.g. `http://127.0.0.1:40123` */
  baseUrl: string;
  port: number;
  requests: RecordedRequest[];
  handle(handler: FakeHandler): void;
  close(): Promise<void>;
}

/** Answers `{"sub": userId}` to userinfo requests. */
export const answerSub =
  (sub: unknown, status = 200): FakeHandler =>
  (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ sub }));
  };

export async function startFakeHomeserver(options: { tls?: boolean } = {}): Promise<FakeHomeserver> {
  let handler: FakeHandler = answerSub('@alice:localhost');
  const requests: RecordedRequest[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      host: req.headers.host,
      servername: (req.socket as Partial<TLSSocket>).servername || undefined,
    });
    handler(req, res);
  };
  const server: Server =
    options.tls === true
      ? createHttpsServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, listener)
      : createHttpServer(listener);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `${options.tls === true ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    handle: (next) => {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging handlers keep sockets open; destroy them so the test run ends promptly.
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A port nothing listens on: bind, note the port, close. */
export async function unusedPort(): Promise<number> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}
