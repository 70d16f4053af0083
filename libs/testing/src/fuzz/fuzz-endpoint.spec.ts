import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fuzzBody, type BodyExample } from './fuzz-bodies';
import { fuzzEndpoint, LogScanner, type FuzzOptions, type FuzzTarget } from './fuzz-endpoint';

const EXAMPLE: BodyExample = { kind: 'json', value: { user: 'alice', n: 1, tags: ['a', 'b'] } };
const SEED = 0xf00d;
const LIMIT = 4096;

/** A loopback server that reads every body whole and lets the test answer it. */
async function serve(
  answer: (body: Buffer, req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      answer(Buffer.concat(chunks), req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/form`, server };
}

const key = (contentType: string | undefined, body: Uint8Array) =>
  `${String(contentType)}|${Buffer.from(body).toString('base64')}`;

const target = (url: string, shape: FuzzTarget['shape'] = () => null): FuzzTarget => ({
  route: 'POST /form',
  method: 'POST',
  url,
  example: EXAMPLE,
  bodyLimit: LIMIT,
  shape,
});

const options = (over: Partial<FuzzOptions> = {}): FuzzOptions => ({
  seed: SEED,
  bodies: 200,
  concurrency: 16,
  deadlineMs: 5_000,
  secrets: ['s3cret-value'],
  ...over,
});

const servers: Server[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('fuzzEndpoint', () => {
  it('sends body i of the seed exactly once, whatever the concurrency', async () => {
    const expected = Array.from({ length: 200 }, (_, i) => fuzzBody(SEED, i, EXAMPLE, LIMIT))
      .map((b) => key(b.contentType, b.body))
      .sort();
    for (const concurrency of [1, 16]) {
      const received: string[] = [];
      const { url, server } = await serve((body, req, res) => {
        received.push(key(req.headers['content-type'], body));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
      servers.push(server);
      const result = await fuzzEndpoint(target(url), options({ concurrency }));
      expect(result.failures).toBe(0);
      expect(result.bodies).toBe(200);
      expect(result.statuses).toEqual({ '200': 200 });
      expect(received.sort()).toEqual(expected);
    }
  });

  it('names the seed and index of each failing body, and FUZZ_INDEX sends that body alone', async () => {
    const bad = fuzzBody(SEED, 37, EXAMPLE, LIMIT);
    // Other indices may have drawn the very same body (say, the empty one): each is a failure too.
    const badIndices = Array.from({ length: 200 }, (_, i) => fuzzBody(SEED, i, EXAMPLE, LIMIT))
      .map((b, i) => (key(b.contentType, b.body) === key(bad.contentType, bad.body) ? i : -1))
      .filter((i) => i >= 0);
    let received = 0;
    const { url, server } = await serve((body, req, res) => {
      received += 1;
      const failing = key(req.headers['content-type'], body) === key(bad.contentType, bad.body);
      res.writeHead(failing ? 500 : 400, { 'content-type': 'application/json' }).end('{"errcode":"X"}');
    });
    servers.push(server);

    const result = await fuzzEndpoint(target(url), options());
    expect(result.failures).toBe(badIndices.length);
    expect(result.examples).toEqual(
      badIndices
        .slice(0, 10)
        .map((i) => expect.stringContaining(`POST /form seed=0xf00d index=${i} (`) as unknown),
    );
    expect(result.examples[0]).toContain('status 500');

    vi.stubEnv('FUZZ_INDEX', '37');
    received = 0;
    const replay = await fuzzEndpoint(target(url), options());
    expect(received).toBe(1);
    expect(replay.bodies).toBe(1);
    expect(replay.examples).toEqual([expect.stringContaining('index=37 (')]);
  });

  it('counts an answer slower than the deadline as a hang while the other requests go on', async () => {
    const slow = key(fuzzBody(SEED, 5, EXAMPLE, LIMIT).contentType, fuzzBody(SEED, 5, EXAMPLE, LIMIT).body);
    const { url, server } = await serve((body, req, res) => {
      if (key(req.headers['content-type'], body) === slow) return; // Never answers.
      res.writeHead(400, { 'content-type': 'application/json' }).end('{}');
    });
    servers.push(server);
    const result = await fuzzEndpoint(target(url), options({ bodies: 50, deadlineMs: 300 }));
    expect(result.statuses['no answer']).toBeGreaterThanOrEqual(1);
    expect(result.examples[0]).toMatch(/index=5 \(.*\): no answer within 300 ms/);
    expect(result.statuses['400']).toBe(50 - result.statuses['no answer']!);
  });

  it('fails an answer whose shape is wrong or that carries a secret in a header or the body', async () => {
    let n = 0;
    const { url, server } = await serve((_body, _req, res) => {
      n += 1;
      if (n === 1) res.writeHead(400, { 'x-debug': 'token=s3cret-value' }).end('{}');
      else if (n === 2) res.writeHead(400).end('echo s3cret-value');
      else res.writeHead(400).end('<html>');
    });
    servers.push(server);
    const result = await fuzzEndpoint(
      target(url, ({ text }) => (text.startsWith('<') ? 'not JSON' : null)),
      options({ bodies: 3, concurrency: 1 }),
    );
    expect(result.examples).toEqual([
      expect.stringMatching(/index=0 .*answer contains the secret s3cr…/),
      expect.stringMatching(/index=1 .*answer contains the secret s3cr…/),
      expect.stringMatching(/index=2 .*not JSON \(status 400: <html>\)/),
    ]);
  });
});

describe('LogScanner', () => {
  it('finds a secret split across writes, counts lines, and keeps one line per distinct error', () => {
    const scanner = new LogScanner(['s3cret-value']);
    const error = '{"level":"error","msg":"boom","err":{"message":"db down"}}';
    scanner.write(`{"level":"info","msg":"ok"}\n${error}\n{"level":"debug","msg":"s3cr`);
    expect(scanner.leaks).toEqual([]);
    scanner.write(`et-value here"}\n${error}\n{"level":"fatal","msg":"other"}`);
    expect(scanner.leaks).toEqual(['log line 3 contains s3cr…']);
    expect(scanner.lines).toBe(4);
    scanner.end();
    expect(scanner.lines).toBe(5);
    expect(scanner.errorLines).toEqual([error, '{"level":"fatal","msg":"other"}']);
  });
});
