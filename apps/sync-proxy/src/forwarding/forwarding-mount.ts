import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
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
}
export const FORWARDING_OPTIONS = Symbol('FORWARDING_OPTIONS');
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

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly forwarder: UpstreamForwarder,
    metrics: Metrics,
    @Inject(FORWARDING_OPTIONS) options: ForwardingOptions,
  ) {
    this.ownPaths = new Set([...SERVER_PATHS, ...options.ownPaths]);
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
      if (this.ownPaths.has(request.url.split('?')[0] ?? '/')) {
        done();
        return;
      }
      reply.hijack();
      this.forwarder.forward(request.raw, reply.raw, request.ip, ({ status }) => {
        this.forwarded.inc({ method: request.method, status: String(status) });
      });
    });
  }

  /**
   * Before the HTTP server closes, which waits for every connection: forwarded long-polls (/sync waits
   * up to its timeout) are cut and retried by their clients; other requests get a few seconds to finish,
   * inside the service's shutdown grace period.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.forwarder.drain(5_000);
  }
}
