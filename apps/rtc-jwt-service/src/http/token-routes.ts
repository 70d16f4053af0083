import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MatrixError } from '@gateway/matrix';
import { TokenIssuer } from '../token/token-issuer';
import { BodyReadError, readTextBody } from './read-body';
import { RequestMetrics } from './request-metrics';

/** One of lk-jwt-service's POST endpoints: its path, its `endpoint` label and the issuer's method. */
interface TokenEndpoint {
  url: string;
  metric: string;
  run: (issuer: TokenIssuer, body: string, ip: string) => Promise<object>;
}

const TOKEN_ENDPOINTS: readonly TokenEndpoint[] = [
  { url: '/get_token', metric: 'get_token', run: (issuer, body, ip) => issuer.getToken(body, ip) },
  { url: '/sfu/get', metric: 'sfu_get', run: (issuer, body, ip) => issuer.sfuGet(body, ip) },
  {
    url: '/delegate_delayed_leave',
    metric: 'delegate_delayed_leave',
    run: (issuer, body, ip) => issuer.delegateDelayedLeave(body, ip),
  },
];

/**
 * The three CORS-enabled POST endpoints of lk-jwt-service (their CORS headers, OPTIONS and 405s are in
 * fastify-setup.ts). Every warm `/get_token` passes here, so each is a plain Fastify route answered in
 * its own `onRequest` hook, as auth-service's introspection is: the body is read from the socket here
 * (read-body.ts, with Fastify's limits and errors) instead of by Fastify's content-type parser (its
 * per-request async-context binding) and Nest's router behind it, which cost about a third of the warm
 * path's throughput (bench/README.md, bench/rtc). Fastify's other hooks still run: the request metrics
 * and log (libs/server), CORS, and errors go to the app's one exception filter.
 */
@Injectable()
export class TokenRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly issuer: TokenIssuer,
    private readonly metrics: RequestMetrics,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // The limit Fastify's own parser applies (libs/server's `bodyLimit`, from rtcAppOptions).
    const limit = fastify.initialConfig.bodyLimit ?? 1024 * 1024;
    for (const endpoint of TOKEN_ENDPOINTS) {
      fastify.route({
        method: 'POST',
        url: endpoint.url,
        onRequest: (request, reply) => {
          this.answer(endpoint, limit, request, reply);
        },
        // Never reached: the onRequest hook above always answers.
        handler: () => {
          throw new Error(`${endpoint.url} is answered in onRequest`);
        },
      });
    }
  }

  private answer(endpoint: TokenEndpoint, limit: number, request: FastifyRequest, reply: FastifyReply): void {
    readTextBody(request.raw, limit)
      .then(
        (body) => this.counted(endpoint.metric, () => endpoint.run(this.issuer, body, request.ip)),
        (err: unknown) => {
          // Bytes of the body may still follow: Fastify's parser closes the connection then, too.
          if (err instanceof BodyReadError) {
            if (err.closeConnection) void reply.header('connection', 'close');
            throw err.reason;
          }
          throw err;
        },
      )
      .then(
        (result) => void reply.send(result),
        // Fastify's error handler is the app's exception filter (libs/server), as for a controller.
        (err: unknown) => void reply.send(err),
      );
  }

  private async counted<T>(endpoint: string, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      this.metrics.requests.inc({ endpoint, outcome: 'ok' });
      return result;
    } catch (err) {
      this.metrics.requests.inc({
        endpoint,
        outcome: err instanceof MatrixError ? err.errcode : 'M_UNKNOWN',
      });
      throw err;
    }
  }
}
