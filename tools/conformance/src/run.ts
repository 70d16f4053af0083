// Over 300 lines: the checks in the order a client meets a deployment; they share one session (token, room, RTC focus).
import { randomBytes } from 'node:crypto';
import {
  CheckFailure,
  describe,
  http,
  isObject,
  isUnrecognized,
  type HttpAnswer,
  type HttpRequest,
} from './http';
import type { CheckResult, Report } from './report';

export interface ConformanceOptions {
  /** The server name as a URL (`https://example.org`) or the client-server API base URL. */
  homeserver: string;
  /** Password login through the legacy `/login` API, when the server offers `m.login.password`. */
  user?: string | undefined;
  password?: string | undefined;
  /** An access token to use instead of logging in. */
  accessToken?: string | undefined;
  /** An administrator's access token; used like `accessToken`. */
  adminToken?: string | undefined;
  /** Bound on each HTTP request (default 10 s). */
  requestTimeoutMs?: number | undefined;
  /** How long a sent message may take to come down sliding sync (default 20 s). */
  roundTripTimeoutMs?: number | undefined;
  /** Called as each check completes, for live output. */
  onCheck?: ((check: CheckResult) => void) | undefined;
}

/** A check that did not apply, with the reason the report shows. */
class Skip {
  constructor(readonly reason: string) {}
}
const skip = (reason: string): Skip => new Skip(reason);

interface SlidingSyncEndpoint {
  url: string;
  stable: boolean;
}

interface Focus {
  url: string;
  source: string;
}

const UNSTABLE_SYNC = '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync';
const STABLE_SYNC = '/_matrix/client/v4/sync';
const SLIDING_SYNC_FLAG = 'org.matrix.simplified_msc3575';
const RTC_FOCI = 'org.matrix.msc4143.rtc_foci';

/**
 * Checks a live Matrix 2.0 deployment from the outside, through public client-facing endpoints only:
 * discovery, versions, OAuth 2.0 metadata (MSC2965), a login, whoami, sliding sync (MSC4186) with a
 * message round trip, a MatrixRTC token (MSC4143 discovery, MSC4195 `/get_token`), QR-login rendezvous
 * (MSC4108) and the services' public health endpoints. Never throws for what the server does: every
 * problem is a failed check.
 */
export async function runConformance(options: ConformanceOptions): Promise<Report> {
  const started = Date.now();
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const homeserver = normaliseUrl(options.homeserver);
  const checks: CheckResult[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];

  const check = async (id: string, fn: () => Promise<string | Skip>): Promise<boolean> => {
    const t0 = performance.now();
    let result: CheckResult;
    try {
      const outcome = await fn();
      const durationMs = performance.now() - t0;
      result =
        outcome instanceof Skip
          ? { id, status: 'skip', detail: outcome.reason, durationMs }
          : { id, status: 'pass', detail: outcome, durationMs };
    } catch (err) {
      const detail =
        err instanceof CheckFailure
          ? err.message
          : `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
      result = { id, status: 'fail', detail, durationMs: performance.now() - t0 };
    }
    checks.push(result);
    options.onCheck?.(result);
    return result.status === 'pass';
  };
  const get = (url: string, req: Partial<HttpRequest> = {}): Promise<HttpAnswer> =>
    http(url, { timeoutMs, ...req });

  // What the checks learn, for the ones after them.
  let baseUrl = homeserver;
  let wellKnown: Record<string, unknown> | undefined;
  let unstableFeatures: Record<string, unknown> = {};
  let authMetadata: Record<string, unknown> | undefined;
  let token = options.accessToken ?? options.adminToken;
  let userId: string | undefined;
  let deviceId: string | undefined;
  let slidingSync: SlidingSyncEndpoint | undefined;
  let roomId: string | undefined;
  let focus: Focus | undefined;
  let openIdToken: Record<string, unknown> | undefined;
  const api = (path: string): string => `${baseUrl}${path}`;

  await check('discovery.well-known', async () => {
    const url = `${homeserver}/.well-known/matrix/client`;
    const res = await get(url);
    if (res.status === 404) return skip(`no ${url} (404): using ${homeserver} as the client API base URL`);
    if (res.status !== 200) throw new CheckFailure(`GET ${url}: ${describe(res)}`);
    if (!isObject(res.json)) throw new CheckFailure(`GET ${url}: not a JSON object: ${describe(res)}`);
    const hs = res.json['m.homeserver'];
    const base = isObject(hs) ? hs['base_url'] : undefined;
    if (typeof base !== 'string' || !isHttpUrl(base))
      throw new CheckFailure(`${url}: m.homeserver.base_url is missing or not an http(s) URL`);
    if (res.headers.get('access-control-allow-origin') !== '*')
      throw new CheckFailure(`${url}: no "Access-Control-Allow-Origin: *", so web clients cannot read it`);
    wellKnown = res.json;
    baseUrl = normaliseUrl(base);
    const foci = wellKnownFoci(res.json);
    return `m.homeserver ${baseUrl}${foci.length > 0 ? `; rtc_foci ${foci.join(', ')}` : ''}`;
  });

  await check('versions', async () => {
    const url = api('/_matrix/client/versions');
    const res = await get(url);
    if (res.status !== 200 || !isObject(res.json)) throw new CheckFailure(`GET ${url}: ${describe(res)}`);
    const versions = res.json['versions'];
    if (!Array.isArray(versions) || versions.length === 0 || !versions.every((v) => typeof v === 'string'))
      throw new CheckFailure(`GET ${url}: "versions" is not a non-empty list of strings`);
    const features = res.json['unstable_features'];
    unstableFeatures = isObject(features) ? features : {};
    const sliding = unstableFeatures[SLIDING_SYNC_FLAG] === true;
    return `${versions[0]}…${versions[versions.length - 1]}; sliding sync (${SLIDING_SYNC_FLAG}) ${sliding ? 'advertised' : 'not advertised'}`;
  });

  await check('auth.metadata', async () => {
    for (const path of [
      '/_matrix/client/v1/auth_metadata',
      '/_matrix/client/unstable/org.matrix.msc2965/auth_metadata',
    ]) {
      const res = await get(api(path));
      if (isUnrecognized(res)) continue;
      if (res.status !== 200 || !isObject(res.json))
        throw new CheckFailure(`GET ${api(path)}: ${describe(res)}`);
      authMetadata = res.json;
      return `${validateAuthMetadata(res.json)} (${path})`;
    }
    // Deployments that predate auth_metadata announce the issuer in the well-known document (MSC2965's first form).
    const announced = wellKnown?.['org.matrix.msc2965.authentication'];
    const issuer = isObject(announced) ? announced['issuer'] : undefined;
    if (typeof issuer === 'string') {
      const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
      const res = await get(url);
      if (res.status !== 200 || !isObject(res.json)) throw new CheckFailure(`GET ${url}: ${describe(res)}`);
      authMetadata = res.json;
      return `${validateAuthMetadata(res.json)} (the well-known's issuer)`;
    }
    return skip('the server publishes no OAuth 2.0 metadata (MSC2965): it does not delegate authentication');
  });

  await check('auth.issuer-discovery', async () => {
    if (authMetadata === undefined) return skip('needs auth.metadata');
    const issuer = authMetadata['issuer'] as string;
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const res = await get(url);
    if (res.status !== 200 || !isObject(res.json)) throw new CheckFailure(`GET ${url}: ${describe(res)}`);
    if (res.json['issuer'] !== issuer)
      throw new CheckFailure(
        `${url}: issuer ${JSON.stringify(res.json['issuer'])} differs from the homeserver's ${issuer}`,
      );
    if (typeof res.json['jwks_uri'] !== 'string') throw new CheckFailure(`${url}: no jwks_uri`);
    const jwks = await get(res.json['jwks_uri']);
    const keys = isObject(jwks.json) ? jwks.json['keys'] : undefined;
    if (jwks.status !== 200 || !Array.isArray(keys) || keys.length === 0)
      throw new CheckFailure(`GET ${res.json['jwks_uri']}: no signing keys (${describe(jwks)})`);
    return `issuer ${issuer}; ${keys.length} signing key${keys.length === 1 ? '' : 's'}`;
  });

  await check('auth.device-grant', () => {
    if (authMetadata === undefined) return Promise.resolve(skip('needs auth.metadata'));
    const endpoint = authMetadata['device_authorization_endpoint'];
    if (typeof endpoint !== 'string')
      return Promise.resolve(skip('no device_authorization_endpoint advertised (QR-code login needs it)'));
    return Promise.resolve(
      skip(
        `advertised at ${endpoint}; completing it needs a person to approve the code in a browser (pass --access-token)`,
      ),
    );
  });

  await check('login', async () => {
    if (options.accessToken !== undefined) return skip('an access token was given (--access-token)');
    if (options.adminToken !== undefined) return skip('an admin token was given (--admin-token)');
    if (options.user === undefined || options.password === undefined)
      return skip('no credentials given (--user and --password, or --access-token)');
    const flowsUrl = api('/_matrix/client/v3/login');
    const flowsRes = await get(flowsUrl);
    const flows =
      isObject(flowsRes.json) && Array.isArray(flowsRes.json['flows']) ? flowsRes.json['flows'] : [];
    const types = flows.map((f) => (isObject(f) ? String(f['type']) : '?'));
    if (!types.includes('m.login.password')) {
      const why =
        flowsRes.status === 200
          ? `offers ${types.join(', ') || 'no flows'}`
          : `answers ${describe(flowsRes)}`;
      return skip(
        `GET ${flowsUrl} ${why}, no m.login.password (no compatibility layer); ` +
          'an OAuth login needs a browser: pass --access-token',
      );
    }
    const res = await get(flowsUrl, {
      json: {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: options.user },
        password: options.password,
        initial_device_display_name: 'matrix-gateway-conformance',
      },
    });
    if (res.status !== 200 || !isObject(res.json) || typeof res.json['access_token'] !== 'string')
      throw new CheckFailure(`POST ${flowsUrl} as ${options.user}: ${describe(res)}`);
    token = res.json['access_token'];
    const loggedIn = token;
    cleanups.push(() => get(api('/_matrix/client/v3/logout'), { method: 'POST', token: loggedIn, json: {} }));
    return `m.login.password as ${String(res.json['user_id'])} (device ${String(res.json['device_id'])})`;
  });

  await check('whoami', async () => {
    if (token === undefined) return skip('needs an access token');
    const url = api('/_matrix/client/v3/account/whoami');
    const res = await get(url, { token });
    if (res.status !== 200 || !isObject(res.json) || typeof res.json['user_id'] !== 'string')
      throw new CheckFailure(`GET ${url}: ${describe(res)}`);
    userId = res.json['user_id'];
    deviceId = typeof res.json['device_id'] === 'string' ? res.json['device_id'] : undefined;
    return `${userId}${deviceId === undefined ? '' : ` (device ${deviceId})`}`;
  });

  await check('sliding-sync.first-response', async () => {
    if (userId === undefined) return skip('needs whoami');
    const tried: string[] = [];
    for (const endpoint of [
      { url: api(STABLE_SYNC), stable: true },
      { url: api(UNSTABLE_SYNC), stable: false },
    ]) {
      const res = await syncRequest(endpoint, undefined, undefined, 0);
      if (isUnrecognized(res)) {
        tried.push(`${new URL(endpoint.url).pathname} ${describe(res)}`);
        continue;
      }
      if (res.status !== 200 || !isObject(res.json) || typeof res.json['pos'] !== 'string')
        throw new CheckFailure(`POST ${endpoint.url}: ${describe(res)}`);
      slidingSync = endpoint;
      const lists = isObject(res.json['lists']) ? res.json['lists'] : {};
      const all = lists['all'];
      const count = isObject(all) && typeof all['count'] === 'number' ? all['count'] : '?';
      return `${new URL(endpoint.url).pathname}: pos ${JSON.stringify(res.json['pos'])}, ${count} room${count === 1 ? '' : 's'}`;
    }
    throw new CheckFailure(`no sliding sync endpoint (MSC4186): ${tried.join('; ')}`);
  });

  /** One sliding sync request: a list of every room and, once it exists, a subscription to the test room. */
  async function syncRequest(
    endpoint: SlidingSyncEndpoint,
    pos: string | undefined,
    room: string | undefined,
    timeout: number,
  ): Promise<HttpAnswer> {
    const subscriptions =
      room === undefined
        ? {}
        : { [room]: { timeline_limit: 10, required_state: endpoint.stable ? { include: [] } : [] } };
    if (endpoint.stable) {
      return get(endpoint.url, {
        token,
        timeoutMs: timeoutMs + timeout,
        json: {
          ...(pos === undefined ? {} : { pos }),
          timeout,
          lists: {
            all: {
              range: [0, 19],
              timeline_limit: 1,
              required_state: { include: [{ type: 'm.room.create', state_key: '' }] },
            },
          },
          room_subscriptions: subscriptions,
        },
      });
    }
    const query = new URLSearchParams({ timeout: String(timeout), ...(pos === undefined ? {} : { pos }) });
    return get(`${endpoint.url}?${query.toString()}`, {
      token,
      timeoutMs: timeoutMs + timeout,
      json: {
        lists: { all: { ranges: [[0, 19]], timeline_limit: 1, required_state: [['m.room.create', '']] } },
        room_subscriptions: subscriptions,
      },
    });
  }

  await check('sliding-sync.round-trip', async () => {
    if (slidingSync === undefined || token === undefined) return skip('needs sliding-sync.first-response');
    const endpoint = slidingSync;
    const create = await get(api('/_matrix/client/v3/createRoom'), {
      token,
      json: { name: `matrix-gateway-conformance ${new Date().toISOString()}`, preset: 'private_chat' },
    });
    if (create.status !== 200 || !isObject(create.json) || typeof create.json['room_id'] !== 'string')
      throw new CheckFailure(`POST ${api('/_matrix/client/v3/createRoom')}: ${describe(create)}`);
    const room = create.json['room_id'];
    roomId = room;
    const leaveToken = token;
    cleanups.push(async () => {
      await get(api(`/_matrix/client/v3/rooms/${encodeURIComponent(room)}/leave`), {
        token: leaveToken,
        json: {},
      });
      await get(api(`/_matrix/client/v3/rooms/${encodeURIComponent(room)}/forget`), {
        token: leaveToken,
        json: {},
      });
    });
    // A position from before the message, so the message arrives as a live update.
    const first = await syncRequest(endpoint, undefined, room, 0);
    if (first.status !== 200 || !isObject(first.json) || typeof first.json['pos'] !== 'string')
      throw new CheckFailure(`POST ${endpoint.url}: ${describe(first)}`);
    let pos: string = first.json['pos'];
    const body = `matrix-gateway-conformance ${randomBytes(6).toString('hex')}`;
    const t0 = performance.now();
    const sendUrl = api(
      `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/send/m.room.message/${randomBytes(8).toString('hex')}`,
    );
    const sent = await get(sendUrl, { method: 'PUT', token, json: { msgtype: 'm.text', body } });
    if (sent.status !== 200 || !isObject(sent.json) || typeof sent.json['event_id'] !== 'string')
      throw new CheckFailure(`PUT ${sendUrl}: ${describe(sent)}`);
    const eventId = sent.json['event_id'];
    const deadline = Date.now() + (options.roundTripTimeoutMs ?? 20_000);
    while (Date.now() < deadline) {
      const wait = Math.max(0, Math.min(5_000, deadline - Date.now()));
      const res = await syncRequest(endpoint, pos, room, wait);
      if (res.status !== 200 || !isObject(res.json) || typeof res.json['pos'] !== 'string')
        throw new CheckFailure(`POST ${endpoint.url} (pos ${pos}): ${describe(res)}`);
      pos = res.json['pos'];
      const rooms = isObject(res.json['rooms']) ? res.json['rooms'] : {};
      const entry = rooms[room];
      const timeline: unknown[] =
        isObject(entry) && Array.isArray(entry['timeline']) ? entry['timeline'] : [];
      const event = timeline.find((e) => isObject(e) && e['event_id'] === eventId);
      if (event !== undefined) {
        const content = isObject(event) && isObject(event['content']) ? event['content'] : {};
        if (content['body'] !== body) throw new CheckFailure(`${eventId} came back with another body`);
        return `sent ${eventId} in ${room}; it came down sliding sync ${Math.round(performance.now() - t0)} ms later`;
      }
    }
    throw new CheckFailure(
      `${eventId} sent to ${room} did not come down sliding sync within ${options.roundTripTimeoutMs ?? 20_000} ms`,
    );
  });

  await check('rtc.focus', async () => {
    if (token !== undefined) {
      const url = api('/_matrix/client/unstable/org.matrix.msc4143/rtc/transports');
      const res = await get(url, { token });
      if (res.status === 200 && isObject(res.json)) {
        // Synapse answers `{}` when it has no transports configured.
        const transports: unknown[] = Array.isArray(res.json['rtc_transports'])
          ? res.json['rtc_transports']
          : [];
        const livekit = transports.find(
          (t) => isObject(t) && t['type'] === 'livekit' && typeof t['livekit_service_url'] === 'string',
        );
        if (isObject(livekit))
          focus = { url: normaliseUrl(livekit['livekit_service_url'] as string), source: 'rtc/transports' };
      } else if (!isUnrecognized(res)) {
        throw new CheckFailure(`GET ${url}: ${describe(res)}`);
      }
    }
    if (focus === undefined && wellKnown !== undefined) {
      const url = wellKnownFoci(wellKnown)[0];
      if (url !== undefined) focus = { url: normaliseUrl(url), source: `well-known ${RTC_FOCI}` };
    }
    if (focus === undefined)
      return skip(
        `no MatrixRTC LiveKit focus advertised (rtc/transports, well-known ${RTC_FOCI}): calls are not offered`,
      );
    return `${focus.url} (from ${focus.source})`;
  });

  await check('rtc.openid-token', async () => {
    if (focus === undefined) return skip('needs rtc.focus');
    if (userId === undefined) return skip('needs whoami');
    const url = api(`/_matrix/client/v3/user/${encodeURIComponent(userId)}/openid/request_token`);
    const res = await get(url, { token, json: {} });
    if (res.status !== 200 || !isObject(res.json) || typeof res.json['access_token'] !== 'string')
      throw new CheckFailure(`POST ${url}: ${describe(res)}`);
    openIdToken = res.json;
    return `for ${String(res.json['matrix_server_name'])}, expires in ${String(res.json['expires_in'])} s`;
  });

  await check('rtc.token', async () => {
    if (focus === undefined || openIdToken === undefined) return skip('needs rtc.openid-token');
    if (roomId === undefined) return skip('needs the room of sliding-sync.round-trip');
    const memberId = `conformance-${randomBytes(6).toString('hex')}`;
    const url = `${focus.url}/get_token`;
    let res = await get(url, {
      json: {
        room_id: roomId,
        slot_id: 'm.call#ROOM',
        openid_token: openIdToken,
        member: { id: memberId, claimed_user_id: userId, claimed_device_id: deviceId ?? 'CONFORMANCE' },
      },
    });
    let used = 'MSC4195 /get_token';
    let endpointUrl = url;
    if (isUnrecognized(res)) {
      // lk-jwt-service before 0.4 has only the legacy endpoint.
      endpointUrl = `${focus.url}/sfu/get`;
      res = await get(endpointUrl, {
        json: { room: roomId, openid_token: openIdToken, device_id: deviceId ?? 'CONFORMANCE' },
      });
      used = 'legacy /sfu/get';
    }
    if (res.status !== 200 || !isObject(res.json))
      throw new CheckFailure(`POST ${endpointUrl}: ${describe(res)}`);
    const { url: sfu, jwt } = res.json;
    if (typeof sfu !== 'string' || typeof jwt !== 'string')
      throw new CheckFailure(`POST ${endpointUrl}: the answer lacks "url" or "jwt"`);
    const claims = jwtClaims(jwt);
    const video = isObject(claims?.['video']) ? claims['video'] : undefined;
    if (
      claims === undefined ||
      video === undefined ||
      typeof video['room'] !== 'string' ||
      video['roomJoin'] !== true
    )
      throw new CheckFailure(`POST ${endpointUrl}: the token is not a LiveKit join token for a room`);
    return `${used}: LiveKit ${sfu}, join token for room ${video['room']}`;
  });

  await check('qr-login.rendezvous', async () => {
    const url = api('/_matrix/client/unstable/org.matrix.msc4108/rendezvous');
    const payload = `matrix-gateway-conformance ${randomBytes(6).toString('hex')}`;
    const res = await get(url, { body: payload, headers: { 'content-type': 'text/plain' } });
    if (isUnrecognized(res))
      return skip(`no MSC4108 rendezvous (${describe(res)}): QR-code login is not offered`);
    const session =
      isObject(res.json) && typeof res.json['url'] === 'string'
        ? res.json['url']
        : res.headers.get('location');
    if ((res.status !== 201 && res.status !== 200) || session === null)
      throw new CheckFailure(`POST ${url}: ${describe(res)}`);
    const sessionUrl = new URL(session, url).toString();
    const read = await get(sessionUrl, { headers: { accept: '*/*' } });
    await get(sessionUrl, { method: 'DELETE' }).catch(() => undefined);
    if (read.status !== 200 || read.text !== payload)
      throw new CheckFailure(
        `GET ${sessionUrl}: the rendezvous session did not return what was posted (${describe(read)})`,
      );
    return `session created and read back at ${new URL(sessionUrl).pathname.replace(/[^/]+$/, '…')}`;
  });

  const health = async (
    service: string,
    origin: string | undefined,
    paths: string[],
    unknown: string,
  ): Promise<void> => {
    await check(`health.${service}`, async () => {
      if (origin === undefined) return skip(unknown);
      for (const path of paths) {
        const url = `${origin}${path}`;
        const res = await get(url, { headers: { accept: '*/*' } });
        if (res.status === 200) return `${url} 200`;
        if (res.status === 404) continue;
        throw new CheckFailure(`GET ${url}: ${describe(res)}`);
      }
      return skip(`no public health endpoint (${paths.join(', ')} answer 404)`);
    });
  };
  await health('homeserver', baseUrl, ['/health'], '');
  const issuer = authMetadata?.['issuer'];
  const issuerOrigin = typeof issuer === 'string' ? new URL(issuer).origin : undefined;
  await health('auth', issuerOrigin, ['/health'], 'no OAuth issuer (needs auth.metadata)');
  await health('rtc', focus?.url, ['/healthz', '/health'], 'no RTC focus (needs rtc.focus)');

  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  const count = (s: CheckResult['status']): number => checks.filter((c) => c.status === s).length;
  return {
    homeserver,
    baseUrl,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    checks,
    passed: count('pass'),
    failed: count('fail'),
    skipped: count('skip'),
    ok: count('fail') === 0,
  };
}

/** MSC2965's metadata, with what Matrix clients (matrix-js-sdk's validation, Element X) require of it. */
function validateAuthMetadata(md: Record<string, unknown>): string {
  const missing: string[] = [];
  for (const key of [
    'issuer',
    'authorization_endpoint',
    'token_endpoint',
    'revocation_endpoint',
    'registration_endpoint',
  ]) {
    if (typeof md[key] !== 'string') missing.push(key);
  }
  const needs: [string, string[]][] = [
    ['response_types_supported', ['code']],
    ['grant_types_supported', ['authorization_code', 'refresh_token']],
    ['response_modes_supported', ['query', 'fragment']],
    ['code_challenge_methods_supported', ['S256']],
  ];
  for (const [key, values] of needs) {
    const list = md[key];
    for (const v of values) if (!Array.isArray(list) || !list.includes(v)) missing.push(`${key} ∋ ${v}`);
  }
  if (missing.length > 0) throw new CheckFailure(`OAuth 2.0 metadata lacks ${missing.join(', ')}`);
  const grants = md['grant_types_supported'] as unknown[];
  const device = grants.includes('urn:ietf:params:oauth:grant-type:device_code') ? ', device grant' : '';
  return `issuer ${String(md['issuer'])}${device}`;
}

function wellKnownFoci(doc: Record<string, unknown>): string[] {
  const foci = doc[RTC_FOCI];
  if (!Array.isArray(foci)) return [];
  return foci.flatMap((f) =>
    isObject(f) && f['type'] === 'livekit' && typeof f['livekit_service_url'] === 'string'
      ? [f['livekit_service_url']]
      : [],
  );
}

function jwtClaims(jwt: string): Record<string, unknown> | undefined {
  const part = jwt.split('.')[1];
  if (part === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isObject(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** `example.org` → `https://example.org`; no trailing slash. */
export function normaliseUrl(value: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  return withScheme.replace(/\/+$/, '');
}
