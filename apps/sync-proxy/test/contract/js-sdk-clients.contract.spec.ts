import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from 'matrix-js-sdk/lib/logger.js';
import type * as Matrix from 'matrix-js-sdk/lib/matrix.js';
import type * as SlidingSyncModule from 'matrix-js-sdk/lib/sliding-sync.js';
import { startSynapse, type Synapse } from '@gateway/testing';
import { TestClient } from '../support/matrix-client';
import { startProxy, type ProxyUnderTest } from '../support/start-proxy';

// Node 20 lacks Promise.withResolvers, which matrix-js-sdk ≥ 37.6 uses; it must exist before the import.
const promiseCtor = Promise as unknown as { withResolvers?: () => unknown };
promiseCtor.withResolvers ??= () => {
  let resolve: unknown;
  let reject: unknown;
  const promise = new Promise((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
};

interface JsSdk {
  matrix: typeof Matrix;
  SlidingSync: typeof SlidingSyncModule.SlidingSync;
  /** js-sdk's global loglevel logger (SlidingSync logs through it, not through the client's logger). */
  globalLogger: { setLevel(level: string): void };
}

// Two versions that speak MSC4186: 37.5.0, the newest for Node 20, and 43. What this file touches
// (createClient, SlidingSync, startClient, the sync and Room.timeline events and their enums, Room's
// name, members and live timeline, sendTextMessage) has the same shape in both, so 37.5 is typed
// through 43's declarations. Both load `lib/matrix.js`, what the package entry point re-exports: the
// entry point itself refuses to load when another copy of js-sdk already has.
const VERSIONS: { label: string; pkg: string; load: () => Promise<JsSdk> }[] = [
  {
    label: '37.5.0',
    pkg: 'matrix-js-sdk-37',
    load: async () => {
      const [sdk, ss, log] = await Promise.all([
        import('matrix-js-sdk-37/lib/matrix.js'),
        import('matrix-js-sdk-37/lib/sliding-sync.js'),
        import('matrix-js-sdk-37/lib/logger.js'),
      ]);
      return {
        matrix: sdk as unknown as JsSdk['matrix'],
        SlidingSync: ss.SlidingSync as unknown as JsSdk['SlidingSync'],
        globalLogger: log.logger as unknown as JsSdk['globalLogger'],
      };
    },
  },
  {
    label: '43.0.0',
    pkg: 'matrix-js-sdk',
    load: async () => {
      const [sdk, ss, log] = await Promise.all([
        import('matrix-js-sdk/lib/matrix.js'),
        import('matrix-js-sdk/lib/sliding-sync.js'),
        import('matrix-js-sdk/lib/logger.js'),
      ]);
      return {
        matrix: sdk,
        SlidingSync: ss.SlidingSync,
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- only its level is set, to quieten it
        globalLogger: log.logger as unknown as JsSdk['globalLogger'],
      };
    },
  },
];

const REQUIRED_STATE = [
  ['m.room.name', ''],
  ['m.room.member', '$LAZY'],
  ['m.room.member', '$ME'],
  ['m.room.create', ''],
  ['m.room.encryption', ''],
];
// Longer than the 10 s the live-event checks allow: an event must wake the pending long-poll.
const LONG_POLL_MS = 15_000;

type Client = Matrix.MatrixClient;

/** A logger that keeps js-sdk's warnings and errors for failure messages instead of printing them. */
function capturingLogger(sink: string[]): Logger {
  const keep =
    (level: string) =>
    (...msg: unknown[]) => {
      sink.push(`${level} ${msg.map((m) => (m instanceof Error ? m.message : String(m))).join(' ')}`);
    };
  const ignore = () => undefined;
  const logger: Logger = {
    trace: ignore,
    debug: ignore,
    info: ignore,
    warn: keep('warn'),
    error: keep('error'),
    getChild: () => logger,
  };
  return logger;
}

interface RoomView {
  name: string;
  joined: number;
  last5: (string | undefined)[];
}

function roomViews(client: Client): Record<string, RoomView> {
  return Object.fromEntries(
    client.getRooms().map((room) => [
      room.roomId,
      {
        name: room.name,
        joined: room.getJoinedMemberCount(),
        last5: room
          .getLiveTimeline()
          .getEvents()
          .slice(-5)
          .map((e) => e.getId()),
      },
    ]),
  );
}

function untilPrepared(sdk: JsSdk, client: Client, log: string[], ms = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no PREPARED within ${String(ms)} ms; js-sdk said:\n${log.join('\n')}`));
    }, ms);
    client.on(sdk.matrix.ClientEvent.Sync, (state) => {
      if (state !== sdk.matrix.SyncState.Prepared) return;
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Resolves with the id of the first timeline event with this body (listen before sending). */
function untilTimelineEvent(
  sdk: JsSdk,
  client: Client,
  body: string,
  ms = 10_000,
): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`"${body}" not on ${client.baseUrl}'s timeline within ${String(ms)} ms`));
    }, ms);
    client.on(sdk.matrix.RoomEvent.Timeline, (event) => {
      if (event.getContent<{ body?: string }>().body !== body) return;
      clearTimeout(timer);
      resolve(event.getId());
    });
  });
}

// Real matrix-js-sdk full clients (SlidingSyncSdk, no crypto) through the proxy (P) and directly on
// Synapse 1.160's native MSC4186 (N), each on its own device of alice: they must build the same rooms.
describe('matrix-js-sdk full clients over sliding sync, through the proxy and on Synapse', () => {
  let synapse: Synapse;
  let proxy: ProxyUnderTest;
  let alice: TestClient;
  let bob: TestClient;
  let alicePassword: string;
  let general: string;
  let dm: string;
  let dmHello: string;
  const messages: string[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    synapse = await startSynapse({ mode: 'plain' });
    const a = await synapse.registerUser('alice');
    const b = await synapse.registerUser('bob');
    alicePassword = a.password;
    alice = new TestClient(synapse.baseUrl, a.accessToken, a.userId);
    bob = new TestClient(synapse.baseUrl, b.accessToken, b.userId);
    general = await alice.createRoom({ preset: 'private_chat', name: 'General' });
    await alice.invite(general, bob.userId);
    await bob.join(general);
    for (let i = 0; i < 10; i++)
      messages.push(await (i % 2 === 0 ? alice : bob).send(general, `message ${String(i)}`));
    dm = await alice.createRoom({ preset: 'trusted_private_chat', is_direct: true, invite: [bob.userId] });
    await bob.join(dm);
    await alice.accountData('m.direct', { [bob.userId]: [dm] });
    dmHello = await bob.send(dm, 'hello alice');
    proxy = await startProxy(synapse.baseUrl);
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) client.stopClient();
    // The never-used connection Node's fetch opens after an aborted request is ended by the server's
    // own shutdown (libs/server idle-connections.ts), so this close is prompt.
    await proxy.stop();
    await synapse.stop();
  });

  describe.each(VERSIONS)('matrix-js-sdk $label', ({ label, pkg, load }) => {
    let sdk: JsSdk;
    let viaProxy: Client;
    let direct: Client;
    const proxyLog: string[] = [];
    const directLog: string[] = [];

    async function start(baseUrl: string, log: string[]): Promise<Client> {
      const device = await TestClient.login(synapse.baseUrl, alice.userId, alicePassword);
      const client = sdk.matrix.createClient({
        baseUrl,
        accessToken: device.accessToken,
        userId: device.userId,
        deviceId: device.deviceId,
        logger: capturingLogger(log),
      });
      clients.push(client);
      const list = { ranges: [[0, 19]], timeline_limit: 10, required_state: REQUIRED_STATE };
      const slidingSync = new sdk.SlidingSync(
        baseUrl,
        new Map([['all', list]]),
        { timeline_limit: 10, required_state: REQUIRED_STATE },
        client,
        LONG_POLL_MS,
      );
      const prepared = untilPrepared(sdk, client, log);
      await client.startClient({ slidingSync });
      await prepared;
      return client;
    }

    it("reaches PREPARED via the proxy with Synapse's rooms, names, members and timelines", async () => {
      const version = (createRequire(import.meta.url)(`${pkg}/package.json`) as { version: string }).version;
      expect(version).toBe(label);
      sdk = await load();
      sdk.globalLogger.setLevel('error');
      [viaProxy, direct] = await Promise.all([start(proxy.url, proxyLog), start(synapse.baseUrl, directLog)]);
      const ours = roomViews(viaProxy);
      const theirs = roomViews(direct);
      expect(Object.keys(ours).sort()).toEqual([general, dm].sort());
      expect(ours).toEqual(theirs);
      expect(ours[general]).toEqual({ name: 'General', joined: 2, last5: messages.slice(-5) });
      expect(ours[dm]?.name).toBe('bob');
      expect(ours[dm]?.joined).toBe(2);
      expect(ours[dm]?.last5.at(-1)).toBe(dmHello);
    });

    it('delivers a new message from bob to both clients', async () => {
      await new Promise((r) => setTimeout(r, 500)); // let both clients settle into a long-poll
      const body = `live for ${label}`;
      const received = Promise.all([
        untilTimelineEvent(sdk, viaProxy, body),
        untilTimelineEvent(sdk, direct, body),
      ]);
      const started = Date.now();
      const eventId = await bob.send(general, body);
      messages.push(eventId);
      expect(await received).toEqual([eventId, eventId]);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('sends a message from the proxied client that bob reads on Synapse', async () => {
      const body = `from alice via the proxy, js-sdk ${label}`;
      const { event_id } = await viaProxy.sendTextMessage(general, body);
      messages.push(event_id);
      const back = await bob.call<{ chunk: { event_id: string; content: { body?: string } }[] }>(
        'GET',
        `/_matrix/client/v3/rooms/${encodeURIComponent(general)}/messages?dir=b&limit=5`,
      );
      expect(back.chunk.find((e) => e.event_id === event_id)?.content.body).toBe(body);
    });
  });
});
