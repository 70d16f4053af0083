import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { DashboardConfig } from './config';
import { MetricsSampler } from './metrics/sampler';
import { AdminTokenCheck } from './admin-token-check';
import { SECURITY_HEADERS } from './security-headers';
import type { StaticFile } from './static-files';

/** Request headers the auth service needs; cookies and the rest of the browser's headers stay here. */
const FORWARDED_REQUEST_HEADERS = ['authorization', 'content-type', 'accept', 'user-agent'];
/** Answer headers passed back (the OAuth errors' WWW-Authenticate, the token endpoint's no-store). */
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'cache-control', 'pragma', 'www-authenticate'];
const UPSTREAM_TIMEOUT_MS = 30_000;
/** How much of the sampled metrics the overview's charts get (the ring's length). */
const METRICS_WINDOW_SECONDS = 3600;

/**
 * Paths proxied to the auth service, same-origin for the page: the admin API and its document, the
 * token and revocation endpoints (code exchange, refresh, sign-out) and its readiness for the overview.
 */
const PROXIED = ['/api/admin/v1/*', '/api/spec.json', '/oauth2/token', '/oauth2/revoke'];

/** A `.` or `..` segment, plain or percent-encoded: fetch would resolve it to a path outside the API. */
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|\?|$)/i;

interface Upstream {
  /** Base URL without a trailing slash. */
  base: string;
  /** Named in the 502 when it cannot be reached. */
  name: string;
}

async function proxy(
  target: Upstream,
  request: FastifyRequest,
  reply: FastifyReply,
  path: string,
): Promise<void> {
  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  // The auth service's per-address limits and audit log see the person, when it trusts this server.
  headers.set('x-forwarded-for', request.ip);
  const body = Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined;
  let upstream: Response;
  try {
    upstream = await fetch(`${target.base}${path}`, {
      method: request.method,
      headers,
      ...(body === undefined ? {} : { body }),
      redirect: 'manual',
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
    });
  } catch {
    // The request log line records the 502; the cause is the upstream's to report.
    await reply
      .status(502)
      .header('Content-Type', 'application/json')
      .header('Cache-Control', 'no-store')
      .send({ errors: [{ title: `The ${target.name} cannot be reached` }] });
    return;
  }
  reply.status(upstream.status);
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) void reply.header(name, value);
  }
  await reply.send(Buffer.from(await upstream.arrayBuffer()));
}

function sendFile(request: FastifyRequest, reply: FastifyReply, file: StaticFile): FastifyReply {
  void reply
    .headers(SECURITY_HEADERS)
    .header('Content-Type', file.type)
    .header('ETag', file.etag)
    .header('Vary', 'Accept-Encoding')
    .header('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
  const acceptsGzip = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
  if (file.gzip !== undefined && acceptsGzip) return reply.header('Content-Encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}

/**
 * The dashboard's own routes, at the Fastify level next to Nest's health and readiness: the proxied
 * paths (with raw bodies: they are forwarded, never parsed here), the page's settings, the static files
 * and, for any other GET, the single-page app's index.html (its router reads the path).
 */
export function configureDashboardFastify(
  config: DashboardConfig,
  files: ReadonlyMap<string, StaticFile>,
): (fastify: FastifyInstance) => void {
  const index = files.get('/index.html');
  if (index === undefined) throw new Error('index.html missing');
  const settings = JSON.stringify({
    issuer: config.issuer,
    authorizationEndpoint: `${config.issuer}authorize`,
    clientId: config.clientId,
    redirectUri: config.redirectUri,
    rtcAdmin: config.rtcAdmin !== null,
    syncAdmin: config.syncAdmin !== null,
  });
  const auth: Upstream = { base: config.upstream, name: 'auth service' };
  const services: ServiceAdmin[] = [
    {
      prefix: '/api/rtc/v1/',
      methods: ['GET', 'DELETE'],
      upstream: config.rtcAdmin === null ? null : { base: config.rtcAdmin, name: 'RTC service' },
      notConfigured: 'The RTC admin API is not configured (DASHBOARD_RTC_ADMIN_URL)',
    },
    {
      prefix: '/api/sync/v1/',
      methods: ['GET'],
      upstream: config.syncAdmin === null ? null : { base: config.syncAdmin, name: 'sync proxy' },
      notConfigured: 'The sync proxy admin API is not configured (DASHBOARD_SYNC_ADMIN_URL)',
    },
  ];
  const sampler = new MetricsSampler({
    targets: {
      ...(config.authMetrics === null ? {} : { auth: config.authMetrics }),
      ...(config.syncAdmin === null ? {} : { sync: config.syncAdmin }),
      ...(config.rtcAdmin === null ? {} : { rtc: config.rtcAdmin }),
    },
    intervalSeconds: config.metricsIntervalSeconds,
    windowSeconds: METRICS_WINDOW_SECONDS,
  });
  const tokens = new AdminTokenCheck(config.upstream);
  return (fastify) => {
    fastify.addHook('onReady', (done) => {
      sampler.start();
      done();
    });
    fastify.addHook('onClose', (_instance, done) => {
      sampler.stop();
      done();
    });
    void fastify.register((child, _opts, done) => {
      child.removeAllContentTypeParsers();
      child.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, next) => {
        next(null, body);
      });
      for (const url of PROXIED)
        child.route({
          method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
          url,
          handler: (request, reply) => {
            const path = request.url;
            return proxy(auth, request, reply, path);
          },
        });
      // The overview's health of the auth service: its readiness report, as its probes see it.
      child.get('/auth-service/ready', (request, reply) => proxy(auth, request, reply, '/ready'));
      for (const service of services) registerServiceAdmin(child, service);
      child.get('/api/metrics/v1/series', async (request, reply) => {
        const refusal = await tokens.check(request.headers.authorization);
        if (refusal !== null)
          return reply
            .status(refusal.status)
            .header('Content-Type', 'application/json')
            .header('Cache-Control', 'no-store')
            .send(refusal.body);
        return reply.header('Cache-Control', 'no-store').send(sampler.view());
      });
      done();
    });
    fastify.get('/config.json', (_request, reply) =>
      reply
        .headers(SECURITY_HEADERS)
        .header('Content-Type', 'application/json; charset=utf-8')
        .header('Cache-Control', 'no-cache')
        .send(settings),
    );
    const page = (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0] ?? '/';
      const file = files.get(path);
      if (file !== undefined && path !== '/index.html') return sendFile(request, reply, file);
      // Unknown assets are 404s, not the page: a stale hashed name must fail visibly.
      if (path.startsWith('/assets/') || path.startsWith('/api/'))
        return reply
          .status(404)
          .header('Content-Type', 'application/json')
          .send({ errors: [{ title: 'Not found' }] });
      return sendFile(request, reply, index);
    };
    fastify.get('/', page);
    fastify.get('/*', page);
  };
}

/** An optional service's admin API, reached through the dashboard server: one scheme for each. */
interface ServiceAdmin {
  /** The page's path; the rest of it goes after `/admin/v1/` on the service's internal listener. */
  prefix: string;
  methods: HTTPMethods[];
  /** Null when the dashboard is not given the service's listener (/config.json says so too). */
  upstream: Upstream | null;
  notConfigured: string;
}

/**
 * The RTC service's and the sync proxy's admin APIs (`/admin/v1/*` on their internal listeners), same
 * origin for the page: the Authorization header (the person's admin token) is what those services
 * check, by introspection at the auth service. Their listeners are internal, so the dashboard server is
 * the one way a browser reaches them; `.`/`..` segments are refused so the proxy cannot reach the
 * listener's other paths.
 */
function registerServiceAdmin(fastify: FastifyInstance, service: ServiceAdmin): void {
  const json = (reply: FastifyReply, status: number, title: string) =>
    reply
      .status(status)
      .header('Content-Type', 'application/json')
      .header('Cache-Control', 'no-store')
      .send({ errors: [{ title }] });
  fastify.route({
    method: service.methods,
    url: `${service.prefix}*`,
    handler: (request, reply) => {
      const rest = request.url.slice(service.prefix.length);
      if (service.upstream === null) return json(reply, 404, service.notConfigured);
      if (DOT_SEGMENT.test(rest)) return json(reply, 400, 'Invalid path');
      return proxy(service.upstream, request, reply, `/admin/v1/${rest}`);
    },
  });
}
