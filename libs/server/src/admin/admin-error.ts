import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/**
 * An admin API error as MAS answers it: `{"errors":[{"title":"..."}]}` with the status. Every admin
 * handler of every service throws this (the dashboard reads one shape); the filter below writes it and
 * turns anything else into the same shape.
 */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
  ) {
    super(title);
    this.name = 'AdminApiError';
  }

  toBody(): { errors: { title: string }[] } {
    return { errors: [{ title: this.title }] };
  }
}

/**
 * The admin controllers' filter (it takes precedence over the app's Matrix one): framework client errors
 * keep their status with MAS's error shape; anything unexpected is a bare 500, logged, never detailed.
 */
@Catch()
export class AdminApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('admin-api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let error: AdminApiError;
    if (exception instanceof AdminApiError) error = exception;
    else if (exception instanceof HttpException && exception.getStatus() < 500)
      error = new AdminApiError(exception.getStatus(), exception.message);
    else if (isClientError(exception))
      error = new AdminApiError(exception.statusCode, 'Invalid request body');
    else {
      this.logger.error({ msg: 'admin API request failed', err: exception });
      error = new AdminApiError(500, 'Internal server error');
    }
    if (error.status === 401) void reply.header('WWW-Authenticate', 'Bearer');
    void reply.status(error.status).header('Cache-Control', 'no-store').send(error.toBody());
  }
}

/** Fastify's own 4xx errors (body parsing, size) carry a statusCode. */
function isClientError(e: unknown): e is { statusCode: number } {
  if (typeof e !== 'object' || e === null || !('statusCode' in e)) return false;
  const status = e.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}
