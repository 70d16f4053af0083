import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { Metrics } from '@gateway/server';
import { UPSTREAM_FORWARDER } from '../tokens';
import type { UpstreamForwarder } from './upstream-forwarder';

import { LEGACY_SYNC_PATH, SYNC_PATH } from '../sliding-sync/sync.controller';
import { VERSIONS_PATH } from '../sliding-sync/versions.controller';
import { WELL_KNOWN_CLIENT_PATH } from '../discovery/client-well-known';

/** The proxy's own paths; everything else belongs to the homeserver behind it. */
const OWN_PATHS = new Set([
  '/health',
  '/ready',
  '/metrics',
  SYNC_PATH,
  LEGACY_SYNC_PATH,
  VERSIONS_PATH,
  WELL_KNOWN_CLIENT_PATH,
]);

/**
 * Makes the proxy the client-facing homeserver base URL (as Element X needs: it only looks for sliding
 * sync at the homeserver URL): every request that is not the proxy's own is taken over in `onRequest`,
 * before Fastify reads the body, and streamed to the upstream.
 */
@Injectable()
export class ForwardingMount implements OnModuleInit, BeforeApplicationShutdown {
  private readonly forwarded: Counter<'method' | 'status'>;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(UPSTREAM_FORWARDER) private readonly forwarder: UpstreamForwarder,
    metrics: Metrics,
  ) {
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
      if (OWN_PATHS.has(request.url.split('?')[0] ?? '/')) {
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
