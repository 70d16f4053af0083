import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Logger } from 'pino';
import { isPoolExhausted, toErrorResponse } from './error-response';

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

/**
 * An exhausted pool refuses every request that waits for it, thousands a second after a restart: one
 * warning per interval, with how many were refused, instead of a line for each.
 */
const POOL_WARNING_EVERY_MS = 10_000;

/** The one exception filter: every error a client sees is written here. */
@Catch()
export class MatrixExceptionFilter implements ExceptionFilter {
  /** Requests refused for an exhausted pool since the last warning (`refused` counts them). */
  private poolRefused = 0;
  private poolWarnedAt = -Infinity;

  constructor(
    private readonly fastify: FastifyInstance,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const response = toErrorResponse(exception, this.knownPathOtherMethod(request));
    if (isPoolExhausted(exception)) {
      this.poolRefused++;
      const now = this.clock();
      if (now - this.poolWarnedAt >= POOL_WARNING_EVERY_MS) {
        this.logger.warn(
          { method: request.method, route: request.routeOptions.url, refused: this.poolRefused },
          'database pool exhausted: every connection stayed busy past the connect timeout; refused with M_LIMIT_EXCEEDED',
        );
        this.poolWarnedAt = now;
        this.poolRefused = 0;
      }
    } else if (response.status >= 500) {
      this.logger.error(
        { err: exception, method: request.method, route: request.routeOptions.url },
        'unhandled error',
      );
    }
    void reply.status(response.status).headers(response.headers).send(response.body);
  }

  private knownPathOtherMethod(request: FastifyRequest): boolean {
    if (request.routeOptions.url !== undefined) return false;
    const url = request.url.split('?')[0] ?? '/';
    return METHODS.some((method) => method !== request.method && this.fastify.hasRoute({ method, url }));
  }
}
