import { PassThrough } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyReadError, isValidContentType, readTextBody, type BodySource } from './read-body';

const LIMIT = 64;

/** A request stream with these headers, whose body arrives in these parts (or is left open). */
function source(
  headers: Record<string, string>,
  parts: (string | Buffer)[] | 'open',
): PassThrough & BodySource {
  const stream = new PassThrough() as PassThrough & BodySource;
  stream.headers = headers;
  if (parts !== 'open') {
    for (const part of parts) stream.write(part);
    stream.end();
  }
  return stream;
}

async function failure(
  promise: Promise<string>,
): Promise<{ code: unknown; status: unknown; close: boolean }> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof BodyReadError)) throw new Error(`expected a BodyReadError, got ${String(err)}`);
  const reason = err.reason as Error & { code?: string; statusCode?: number };
  return { code: reason.code, status: reason.statusCode, close: err.closeConnection };
}

describe(readTextBody.name, () => {
  it('reads the body as UTF-8 text whatever its well-formed Content-Type, or without one', async () => {
    const body = '{"é":1}';
    const length = String(Buffer.byteLength(body));
    for (const type of ['application/json', 'text/plain', 'application/json; charset=latin1', undefined]) {
      const headers = { 'content-length': length, ...(type === undefined ? {} : { 'content-type': type }) };
      expect(await readTextBody(source(headers, [body]), LIMIT)).toBe(body);
    }
  });

  it('is an empty text without reading when there is neither a body nor a Content-Type', async () => {
    expect(await readTextBody(source({}, 'open'), LIMIT)).toBe('');
    expect(await readTextBody(source({ 'content-length': '0' }, 'open'), LIMIT)).toBe('');
  });

  it('joins a chunked body, a multi-byte character split between chunks included', async () => {
    const bytes = Buffer.from('{"a":"é"}');
    const parts = [bytes.subarray(0, 7), bytes.subarray(7)];
    expect(await readTextBody(source({ 'transfer-encoding': 'chunked' }, parts), LIMIT)).toBe('{"a":"é"}');
  });

  it("refuses a malformed Content-Type with Fastify's 415 before reading, keeping the connection", async () => {
    expect(await failure(readTextBody(source({ 'content-type': 'nonsense' }, 'open'), LIMIT))).toEqual({
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      status: 415,
      close: false,
    });
  });

  it("refuses a body declared or found over the limit with Fastify's 413, closing the connection", async () => {
    const tooLarge = { code: 'FST_ERR_CTP_BODY_TOO_LARGE', status: 413, close: true };
    expect(await failure(readTextBody(source({ 'content-length': '65' }, 'open'), LIMIT))).toEqual(tooLarge);
    const chunked = source({ 'transfer-encoding': 'chunked' }, ['x'.repeat(40), 'x'.repeat(25)]);
    expect(await failure(readTextBody(chunked, LIMIT))).toEqual(tooLarge);
    expect(await readTextBody(source({ 'content-length': '64' }, ['x'.repeat(64)]), LIMIT)).toHaveLength(64);
  });

  it('counts length as Fastify does, on the decoded text: invalid UTF-8 no longer matches Content-Length', async () => {
    const bytes = Buffer.from([0x7b, 0xff, 0x7d]);
    expect(await failure(readTextBody(source({ 'content-length': '3' }, [bytes]), LIMIT))).toEqual({
      code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH',
      status: 400,
      close: true,
    });
  });

  it('fails with a 400 when the stream fails (the client went away mid-body)', async () => {
    const stream = source({ 'content-length': '50' }, 'open');
    const reading = readTextBody(stream, LIMIT);
    stream.write('{"room_id":');
    stream.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    expect(await failure(reading)).toEqual({ code: 'ECONNRESET', status: 400, close: true });
  });
});

describe(isValidContentType.name, () => {
  it.each([
    ['application/json', true],
    ['Application/JSON', true],
    [' application/json  ', true],
    ['application/json; charset=utf-8', true],
    ['application/json;', true],
    ['a/b; x="a;b"; junk', true],
    ['', false],
    ['undefined', false],
    ['nonsense', false],
    ['foo;bar', false],
    ['appl ication/json', false],
    ['application/json/x', false],
    ['/json', false],
    ['application/', false],
  ])('%j → %s', (header, valid) => {
    expect(isValidContentType(header)).toBe(valid);
  });
});

// The same requests through Fastify's own catch-all text parser (as fastify-setup.ts registers it) and
// through readTextBody in an onRequest hook (as token-routes.ts uses it): the answers must not differ,
// including after a Fastify upgrade.
describe('readTextBody against Fastify’s parser', () => {
  let fastify: FastifyInstance;

  beforeAll(async () => {
    fastify = Fastify({ bodyLimit: LIMIT });
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
      done(null, body);
    });
    // A request without a body has no text from Fastify; the token endpoints took that as '' before.
    fastify.post('/fastify', (request) => ({ body: typeof request.body === 'string' ? request.body : '' }));
    fastify.route({
      method: 'POST',
      url: '/ours',
      onRequest: (request, reply) => {
        readTextBody(request.raw, fastify.initialConfig.bodyLimit ?? 0).then(
          (body) => void reply.send({ body }),
          (err: unknown) => {
            if (!(err instanceof BodyReadError)) throw err;
            if (err.closeConnection) void reply.header('connection', 'close');
            void reply.send(err.reason);
          },
        );
      },
      handler: () => {
        throw new Error('answered in onRequest');
      },
    });
    await fastify.ready();
  });
  afterAll(() => fastify.close());

  const cases: [string, Record<string, string>, string | Buffer | undefined][] = [
    ['json', { 'content-type': 'application/json' }, '{"a":1}'],
    ['no type', {}, '{"a":1}'],
    ['no type, no body', {}, undefined],
    ['type, no body', { 'content-type': 'application/json' }, undefined],
    ['text/plain', { 'content-type': 'text/plain' }, 'hello'],
    ['parameters', { 'content-type': 'application/json; charset=latin1; q="a;b"' }, '{}'],
    ['malformed', { 'content-type': 'nonsense' }, '{}'],
    ['empty type', { 'content-type': '' }, '{}'],
    ['type "undefined"', { 'content-type': 'undefined' }, '{}'],
    ['space in type', { 'content-type': 'appl ication/json' }, '{}'],
    ['at the limit', { 'content-type': 'application/json' }, 'x'.repeat(LIMIT)],
    ['over the limit', { 'content-type': 'application/json' }, 'x'.repeat(LIMIT + 1)],
    ['invalid UTF-8', { 'content-type': 'application/json' }, Buffer.from([0x7b, 0xff, 0x7d])],
    ['UTF-8', {}, '{"é":"😀"}'],
  ];

  it.each(cases)('%s', async (_name, headers, payload) => {
    const answer = async (url: string) => {
      const res = await fastify.inject({
        method: 'POST',
        url,
        headers,
        ...(payload === undefined ? {} : { payload }),
      });
      return { status: res.statusCode, connection: res.headers.connection, body: res.body };
    };
    expect(await answer('/ours')).toEqual(await answer('/fastify'));
  });
});
