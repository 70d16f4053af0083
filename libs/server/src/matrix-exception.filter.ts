import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Logger } from 'pino';
import { isPoolExhausted, toErrorResponse } from './error-response';

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

/** The one exception filter: every error a client sees is written here. */
@Catch()
export class MatrixExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly fastify: FastifyInstance,
    private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const response = toErrorResponse(exception, this.knownPathOtherMethod(request));
    if (isPoolExhausted(exception)) {
      this.logger.warn(
        { method: request.method, route: request.routeOptions.url },
        'database pool exhausted: every connection stayed busy past the connect timeout; refused with M_LIMIT_EXCEEDED',
      );
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
