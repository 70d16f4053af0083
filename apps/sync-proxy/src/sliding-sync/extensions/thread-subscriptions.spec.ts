import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  gapToken,
  parseCompanionPage,
  readGapToken,
  ThreadSubscriptionsSource,
  threadSubscriptionsBody,
} from './thread-subscriptions';
import { THREAD_SUBSCRIPTION_CHANGE } from '../thread-subscription-wake';

describe('parseCompanionPage', () => {
  it('reads subscriptions and unsubscriptions, oldest first, and the end token', () => {
    expect(
      parseCompanionPage({
        subscribed: {
          '!r:x': { $b: { automatic: true, bump_stamp: 9 }, $a: { automatic: false, bump_stamp: 4 } },
        },
        unsubscribed: { '!s:x': { $c: { bump_stamp: 6 } } },
        end: 'ts3',
      }),
    ).toEqual({
      changes: [
        { roomId: '!r:x', threadRootId: '$a', bumpStamp: 4, automatic: false },
        { roomId: '!s:x', threadRootId: '$c', bumpStamp: 6, automatic: undefined },
        { roomId: '!r:x', threadRootId: '$b', bumpStamp: 9, automatic: true },
      ],
      end: 'ts3',
    });
    expect(parseCompanionPage({})).toEqual({ changes: [], end: undefined });
  });

  it('refuses anything but the documented shape', () => {
    for (const body of [
      null,
      [],
      'x',
      { subscribed: [] },
      { subscribed: { '!r:x': [] } },
      { subscribed: { '!r:x': { $a: { bump_stamp: 1 } } } },
      { subscribed: { '!r:x': { $a: { automatic: 1, bump_stamp: 1 } } } },
      { unsubscribed: { '!r:x': { $a: { bump_stamp: 0 } } } },
      { unsubscribed: { '!r:x': { $a: { bump_stamp: 1.5 } } } },
      { unsubscribed: { '!r:x': { $a: { bump_stamp: 2 ** 60 } } } },
      { unsubscribed: { '!r:x': { $a: null } } },
      { end: 3 },
    ]) {
      expect(parseCompanionPage(body), JSON.stringify(body)).toBeUndefined();
    }
  });
});

describe('threadSubscriptionsBody', () => {
  it('is Synapse serialisation: empty maps and a missing gap left out', () => {
    expect(
      threadSubscriptionsBody({
        changes: [{ roomId: '!r:x', threadRootId: '$a', bumpStamp: 4, automatic: false }],
        end: undefined,
      }),
    ).toEqual({ subscribed: { '!r:x': { $a: { automatic: false, bump_stamp: 4 } } } });
    expect(
      threadSubscriptionsBody({
        changes: [{ roomId: '!r:x', threadRootId: '$a', bumpStamp: 4, automatic: undefined }],
        end: 'ts2',
      }),
    ).toEqual({ unsubscribed: { '!r:x': { $a: { bump_stamp: 4 } } }, prev_batch: 'ts2' });
  });

  it('keeps keys such as __proto__ as data', () => {
    const body = threadSubscriptionsBody({
      changes: [{ roomId: '__proto__', threadRootId: '__proto__', bumpStamp: 1, automatic: true }],
      end: undefined,
    });
    expect(JSON.parse(JSON.stringify(body))).toEqual(
      JSON.parse('{"subscribed":{"__proto__":{"__proto__":{"automatic":true,"bump_stamp":1}}}}'),
    );
    expect(({} as Record<string, unknown>)['automatic']).toBeUndefined();
  });
});

describe('THREAD_SUBSCRIPTION_CHANGE', () => {
  it('matches MSC4306 subscription paths, unstable and stable, and nothing else', () => {
    expect(
      THREAD_SUBSCRIPTION_CHANGE.test(
        '/_matrix/client/unstable/io.element.msc4306/rooms/!r%3Ax/thread/%24a/subscription',
      ),
    ).toBe(true);
    expect(THREAD_SUBSCRIPTION_CHANGE.test('/_matrix/client/v1/rooms/!r:x/thread/$a/subscription')).toBe(
      true,
    );
    for (const path of [
      '/_matrix/client/unstable/io.element.msc4306/rooms/!r:x/thread/$a/subscription/x',
      '/_matrix/client/v3/rooms/!r:x/thread/$a/subscription',
      '/_matrix/client/unstable/io.element.msc4308/thread_subscriptions',
      '/_matrix/client/v1/rooms/!r:x/thread//subscription',
    ]) {
      expect(THREAD_SUBSCRIPTION_CHANGE.test(path), path).toBe(false);
    }
  });
});

describe('gapToken / readGapToken', () => {
  it("adds the gap's start to Synapse's token and reads it back", () => {
    expect(gapToken('ts41', 17)).toBe('ts41.17');
    expect(readGapToken('ts41.17')).toEqual({ from: 'ts41', after: 17 });
    expect(readGapToken(gapToken('ts9', 0))).toEqual({ from: 'ts9', after: 0 });
  });

  it('leaves a token it does not know as it is, and reads only its own', () => {
    expect(gapToken('s72594_4483_1934', 3)).toBe('s72594_4483_1934');
    for (const token of ['ts41', 'ts41.', 'ts.3', 'ts4_1.3', 'ts41.3.1', 'xs41.3', `ts${'9'.repeat(17)}.1`]) {
      expect(readGapToken(token), token).toBeUndefined();
    }
  });
});

describe('ThreadSubscriptionsSource', () => {
  let server: Server | undefined;
  afterEach(async () => {
    const running = server;
    server = undefined;
    if (running !== undefined) await new Promise((r) => running.close(r));
  });

  /** A companion endpoint answering `status` and `body`; the requests it got, as path and query. */
  async function companion(status: number, body: unknown): Promise<{ base: string; asked: URL[] }> {
    const asked: URL[] = [];
    server = createServer((req, res) => {
      asked.push(new URL(req.url ?? '/', 'http://x'));
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    return { base: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, asked };
  }

  it("asks for at most Synapse's 512 changes, backwards from the connection's position, as the user", async () => {
    const { base, asked } = await companion(200, { subscribed: {}, unsubscribed: {}, end: 'ts7' });
    const source = new ThreadSubscriptionsSource(base);
    expect(await source.read('tok', 42, 1000)).toEqual({ changes: [], end: 'ts7' });
    expect(await source.read('tok', 0, 10)).toEqual({ changes: [], end: 'ts7' });
    expect(asked.map((u) => [u.pathname, Object.fromEntries(u.searchParams)])).toEqual([
      [
        '/_matrix/client/unstable/io.element.msc4308/thread_subscriptions',
        { dir: 'b', limit: '512', to: 'ts42' },
      ],
      ['/_matrix/client/unstable/io.element.msc4308/thread_subscriptions', { dir: 'b', limit: '10' }],
    ]);
  });

  it('leaves the extension out for a minute after the homeserver says it does not know the endpoint', async () => {
    const { base, asked } = await companion(404, {
      errcode: 'M_UNRECOGNIZED',
      error: 'Unrecognized request',
    });
    let now = 1_000_000;
    const source = new ThreadSubscriptionsSource(base, 3_000, () => now);
    expect(await source.read('tok', 0, 10)).toBeUndefined();
    now += 59_000;
    expect(await source.read('tok', 0, 10)).toBeUndefined();
    expect(asked).toHaveLength(1);
    now += 2_000;
    expect(await source.read('tok', 0, 10)).toBeUndefined();
    expect(asked).toHaveLength(2);
  });
});
