import {
  Inject,
  Injectable,
  Optional,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { Metrics } from '@gateway/server';
import { UpstreamForwarder } from './upstream-forwarder';

export interface ForwardingOptions {
  /** SYNCV3_SERVER, without a trailing slash. */
  upstream: string;
  /** The paths the proxy answers itself; every other request is streamed to the homeserver. */
  ownPaths: readonly string[];
  /** SYNCV3_AUTH_SERVICE_URL: the legacy login paths are streamed there instead, when set. */
  authService?: string | undefined;
}

/**
 * The legacy login API that a homeserver in delegated-auth mode no longer serves (MSC3861): `/login`
 * (and the SSO redirect under it), `/logout`, `/logout/all`, `/refresh`, under any version.
 */
export const LEGACY_AUTH_PATH = /^\/_matrix\/client\/[^/]+\/(?:login(?:\/.*)?|logout(?:\/all)?|refresh)$/;
export const FORWARDING_OPTIONS = Symbol('FORWARDING_OPTIONS');

/** Told of each forwarded request the homeserver answered (not of those that failed to reach it). */
export interface ForwardedListener {
  forwarded(
    request: { method: string; url: string; headers: Record<string, string | string[] | undefined> },
    status: number,
  ): void;
}
/** Optional: app.module.ts supplies what must react to requests passing through (forwarding knows none). */
export const FORWARDED_LISTENER = Symbol('FORWARDED_LISTENER');
/** libs/server's own endpoints, answered on every service. */
const SERVER_PATHS = ['/health', '/ready', '/metrics'];

/**
 * Makes the proxy the client-facing homeserver base URL (as Element X needs: it only looks for sliding
 * sync at the homeserver URL): every request that is not the proxy's own is taken over in `onRequest`,
 * before Fastify reads the body, and streamed to the upstream.
 */
@Injectable()
export class ForwardingMount implements OnModuleInit, BeforeApplicationShutdown {
  private readonly forwarded: Counter<'method' | 'status'>;
  /** The proxy's own paths; everything else belongs to the homeserver behind it. */
  private readonly ownPaths: ReadonlySet<string>;
  private readonly authForwarder: UpstreamForwarder | null;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly forwarder: UpstreamForwarder,
    metrics: Metrics,
    @Inject(FORWARDING_OPTIONS) options: ForwardingOptions,
    @Optional() @Inject(FORWARDED_LISTENER) private readonly listener?: ForwardedListener,
  ) {
    this.ownPaths = new Set([...SERVER_PATHS, ...options.ownPaths]);
    this.authForwarder =
      options.authService === undefined ? null : new UpstreamForwarder(options.authService);
    this.forwarded = new Counter({
      name: 'sync_proxy_forwarded_requests_total',
      help: 'Requests passed through to the upstream homeserver, by method and upstream status (502: unreachable)',
      labelNames: ['method', 'status'],
      registers: [metrics.registry],
    });
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request, reply, done) => {
      const path = request.url.split('?')[0] ?? '/';
      if (this.ownPaths.has(path)) {
        done();
        return;
      }
      reply.hijack();
      if (this.authForwarder !== null && LEGACY_AUTH_PATH.test(path)) {
        this.authForwarder.forward(request.raw, reply.raw, request.ip, () => undefined);
        return;
      }
      this.forwarder.forward(request.raw, reply.raw, request.ip, ({ status, failed }) => {
        this.forwarded.inc({ method: request.method, status: String(status) });
        if (!failed)
          this.listener?.forwarded(
            { method: request.method, url: request.url, headers: request.headers },
            status,
          );
      });
    });
  }

  /**
   * Before the HTTP server closes, which waits for every connection: forwarded long-polls (/sync waits
   * up to its timeout) are cut and retried by their clients; other requests get a few seconds to finish,
   * inside the service's shutdown grace period.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.forwarder.drain(5_000), this.authForwarder?.drain(5_000)]);
  }
}
