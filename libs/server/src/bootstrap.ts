import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import { NotFoundException, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ConfigError, type BindAddress, type LogLevel } from '@gateway/config';
import { MatrixError } from '@gateway/matrix';
import { hasUnstorableText } from '@gateway/util';
import { closeConnectionsOnShutdown } from './idle-connections';
import { Lifecycle } from './lifecycle';
import { createLogger, JsonLogger } from './logger';
import { MatrixExceptionFilter } from './matrix-exception.filter';
import { Metrics } from './metrics';
import { MetricsListener } from './metrics-listener';
import { ClientErrorAnswers, requestTimeouts, serverTimeoutOptions } from './request-timeouts';

export interface AppOptions {
  /** Service name, the `service` field of every log line. */
  name: string;
  logLevel: LogLevel;
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
  /**
   * Longest a client may take to send one request, headers and body, on the public port and the
   * internal listener alike (30 s by default): past it the client gets 408 and its connection is closed,
   * so a client trickling its body (or never finishing it) cannot hold a socket forever. It bounds
   * receiving the request only; a long-poll waits past it once its request is in.
   */
  requestTimeoutMs?: number;
  /** Longest a client may take to send the headers of a request (20 s by default, at most the above). */
  headersTimeoutMs?: number;
  /**
   * Reverse proxies whose X-Forwarded-For is believed (addresses or CIDRs, `cidrList` of libs/config).
   * `request.ip` is then the rightmost address in X-Forwarded-For that is not a trusted proxy, and
   * only when the connecting peer itself is trusted; otherwise the peer's address. Every rate limit and
   * the request log read `request.ip`, so clients behind an ingress are told apart and a client that
   * connects directly cannot choose its own address.
   */
  trustedProxies?: readonly string[];
  /**
   * Where `/metrics` is served: an internal listener of its own. Unset, the service serves no metrics
   * (like MAS, whose metrics are off until a listener is given the `prometheus` resource); the public
   * port never serves them.
   */
  metricsBind?: BindAddress | undefined;
  /**
   * Path prefixes (e.g. `/admin/`) the app serves only on the internal listener (`metricsBind`), with
   * its usual controllers, guards and filters; the public port answers them 404 as any unknown path.
   * A service's admin API lives there so it never faces the internet.
   */
  internalPrefixes?: readonly string[];
  /** Registers Fastify-level parsers, hooks or routes before Nest's own (e.g. a raw proxy route). */
  configureFastify?: (fastify: FastifyInstance) => void;
  /** Configuration warnings (deprecated variables and the like), logged once at start-up. */
  warnings?: readonly string[];
  /** Where log lines go; stdout by default. Tests pass a stream to assert on them. */
  logDestination?: NodeJS.WritableStream;
}

export interface RunningApp {
  app: NestFastifyApplication;
  logger: Logger;
  /** `http://host:port` the app listens on. */
  url: string;
  /** `http://host:port` of the internal metrics listener, when `metricsBind` is set. */
  metricsUrl?: string;
}

const SHUTDOWN_GRACE_MS = 9_000;

/** Builds an app the way every service runs: Fastify, JSON logs, one exception filter, HTTP metrics. */
export async function createApp(
  module: Type | DynamicModule,
  options: AppOptions,
): Promise<{ app: NestFastifyApplication; logger: Logger; metricsListener?: MetricsListener }> {
  const logger = createLogger(options.name, options.logLevel, options.logDestination);
  const timeouts = serverTimeoutOptions(requestTimeouts(options.requestTimeoutMs, options.headersTimeoutMs));
  const clientErrors = new ClientErrorAnswers();
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Fastify sets these two on the server it creates (its 0 would turn Node's request bound off); the
    // rest only Node's own options reach.
    requestTimeout: timeouts.requestTimeout,
    keepAliveTimeout: timeouts.keepAliveTimeout,
    http: timeouts,
    clientErrorHandler: clientErrors.handle,
    return503OnClosing: true,
    trustProxy: options.trustedProxies?.length ? [...options.trustedProxies] : false,
    // `/account/` and `/account` are the same page to a person typing it.
    routerOptions: { ignoreTrailingSlash: true },
    // No service uses Nest middleware (MiddlewareConsumer, app.use): hooks and guards do that work.
    // Without this the adapter registers @fastify/middie, whose hook runs on every request for
    // nothing (bench/README.md, bench/rtc).
    skipMiddie: true,
  });
  const fastify = adapter.getInstance();
  clientErrors.track(fastify.server);

  // JSON bodies that do not parse are a client error with Synapse's errcode, not Fastify's own shape.
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      done(new MatrixError('M_NOT_JSON', 'Content not JSON.'), undefined);
      return;
    }
    // Postgres cannot store U+0000 or an unpaired surrogate, so either failed later as a 500; no Matrix or
    // OAuth value needs them.
    if (hasUnstorableText(value))
      done(new MatrixError('M_BAD_JSON', 'Strings must not contain NUL or unpaired surrogates.'), undefined);
    else done(null, value);
  });
  options.configureFastify?.(fastify);
  closeConnectionsOnShutdown(fastify);

  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: new JsonLogger(logger),
    bufferLogs: false,
    // Body parsing is configured on Fastify above; Nest's own parsers would clash with it.
    bodyParser: false,
  });
  const filter = new MatrixExceptionFilter(fastify, logger);
  // Nest installs Fastify's error handler itself and routes parser errors through this filter too.
  app.useGlobalFilters(filter);

  const lifecycle = app.get(Lifecycle);
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    // An idle keep-alive connection would hold the server open after the last response; ask the
    // client to reconnect elsewhere instead.
    if (lifecycle.shuttingDown) void reply.header('Connection', 'close');
    done(null, payload);
  });

  const metrics = app.get(Metrics);
  fastify.addHook('onResponse', (request, reply, done) => {
    // The route pattern, never the URL: paths and query strings can carry ids and tokens.
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequests.inc({ route, method: request.method, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ route, method: request.method }, seconds);
    // Checked first: the line's fields (the client address above all) cost on every request, and
    // production runs at info (bench/README.md, bench/rtc's profile).
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        {
          method: request.method,
          route,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
          ip: request.ip,
        },
        'request',
      );
    }
    done();
  });
  const internalPrefixes = options.internalPrefixes ?? [];
  // Requests that came in through the internal listener; any other request for those paths came
  // through the public port and is answered as if the path did not exist.
  const internalRequests = new WeakSet<IncomingMessage>();
  if (internalPrefixes.length > 0) {
    fastify.addHook('onRequest', (request, _reply, done) => {
      // The matched route's pattern as well as the URL: the router also matches other spellings of a
      // path (percent-encoded letters), which must not reach the routes either.
      const paths = [request.url.split('?')[0] ?? '', request.routeOptions.url ?? ''];
      const internal = paths.some((path) => internalPrefixes.some((p) => path.startsWith(p)));
      if (internal && !internalRequests.has(request.raw)) {
        // The exception filter's answer to an unknown path (fastify's callNotFound would see the
        // matched route's other methods and answer 405).
        done(new NotFoundException());
        return;
      }
      done();
    });
  }
  let metricsListener: MetricsListener | undefined;
  if (options.metricsBind) {
    const listener = new MetricsListener(
      options.metricsBind,
      metrics,
      { options: timeouts, clientErrors: new ClientErrorAnswers() },
      internalPrefixes.length > 0
        ? {
            prefixes: internalPrefixes,
            handle: (req, res) => {
              internalRequests.add(req);
              fastify.routing(req, res);
            },
          }
        : undefined,
    );
    const bind = options.metricsBind;
    fastify.addHook('onReady', async () => {
      const port = await listener.start();
      logger.info({ host: bind.host, port }, 'metrics listener');
    });
    fastify.addHook('onClose', async () => {
      await listener.close();
    });
    metricsListener = listener;
  }
  return { app, logger, ...(metricsListener ? { metricsListener } : {}) };
}

/** Creates the app and listens; for tests pass port 0 and read back `url`. */
export async function startApp(
  module: Type | DynamicModule,
  options: AppOptions & { bind: BindAddress },
): Promise<RunningApp> {
  const { app, logger, metricsListener } = await createApp(module, options);
  await app.listen({ host: options.bind.host, port: options.bind.port });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : options.bind.port;
  const host =
    options.bind.host === '0.0.0.0' || options.bind.host === '::' ? '127.0.0.1' : options.bind.host;
  logger.info({ host: options.bind.host, port }, 'listening');
  const url = (h: string, p: number) => `http://${h.includes(':') ? `[${h}]` : h}:${p}`;
  const running: RunningApp = { app, logger, url: url(host, port) };
  if (metricsListener?.port !== undefined && options.metricsBind) {
    const mh = options.metricsBind.host;
    running.metricsUrl = url(mh === '0.0.0.0' || mh === '::' ? '127.0.0.1' : mh, metricsListener.port);
  }
  return running;
}

/**
 * The `main` of every service: parse config (a ConfigError stops start-up with the variables named),
 * start listening, and on SIGTERM/SIGINT stop accepting, let in-flight requests finish, close pools,
 * and exit 0 — or 1 if that takes longer than the grace period.
 */
export function runService(
  name: string,
  load: () => { module: Type | DynamicModule; options: AppOptions & { bind: BindAddress } },
): void {
  let loaded: ReturnType<typeof load>;
  try {
    loaded = load();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  startApp(loaded.module, loaded.options).then(
    ({ app, logger }) => {
      let closing = false;
      const stop = (signal: string): void => {
        if (closing) return;
        closing = true;
        logger.info({ signal }, 'shutting down');
        app.get(Lifecycle).beginShutdown();
        setTimeout(() => {
          logger.error('graceful shutdown took too long; exiting');
          process.exit(1);
        }, SHUTDOWN_GRACE_MS).unref();
        app.close().then(
          () => {
            logger.info('stopped');
            logger.flush();
            process.exit(0);
          },
          (err: unknown) => {
            logger.error({ err }, 'error while shutting down');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => {
        stop('SIGTERM');
      });
      process.on('SIGINT', () => {
        stop('SIGINT');
      });
    },
    (err: unknown) => {
      process.stderr.write(`${name}: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
