import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/**
 * A real HTTP(S) server on 127.0.0.1 with a swappable handler, standing in for a homeserver in unit
 * tests: the code under test does its real socket work, the test decides what the "homeserver" says.
 */

// Self-signed P-256 certificate for hs.example and 127.0.0.1, valid until 2126. Test-only key material.
export const TEST_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgDf7ufXRh/f7zWTMw
FYyfgLdkDFIobPK2hdTBzNJq1+6hRANCAARsQveGdoJVYWPbG6xRXXzb93kPVDHI
vapKlNEVys8nWRTImYKK/m93cN7znhQcSiGPRUMZFIvzySpyXwDbBn9C
-----END PRIVATE KEY-----
`;
export const TEST_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBnjCCAUSgAwIBAgIUZ3gV+dEygKA/ZfdYh3qmVn47RAMwCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKaHMuZXhhbXBsZTAgFw0yNjExMjYwNTM5NTdaGA8yMTI2MTEw
MjA1Mzk1N1owFTETMBEGA1UEAwwKaHMuZXhhbXBsZTBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABGxC94Z2glVhY9sbrFFdfNv3eQ9UMci9qkqU0RXKzydZFMiZgor+
b3dw3vOeFBxKIY9FQxkUi/PJKnJfANsGf0KjcDBuMB0GA1UdDgQWBBQaJwI43rPD
/uyTIKNFZipbxoNl7zAfBgNVHSMEGDAWgBQaJwI43rPD/uyTIKNFZipbxoNl7zAP
BgNVHRMBAf8EBTADAQH/MBsGA1UdEQQUMBKCCmhzLmV4YW1wbGWHBH8AAAEwCgYI
KoZIzj0EAwIDSAAwRQIgJRN4fZ0M+R+6pgdAjhudGGPsEko9R4VQQBjK97u1GkMC
IQClveoGsnVag5OSdXG+RlaPt8KmD9SjtkvOxTV2sBmpTw==
-----END CERTIFICATE-----
`;

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
