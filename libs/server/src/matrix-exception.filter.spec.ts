import type { ArgumentsHost } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { MatrixExceptionFilter } from './matrix-exception.filter';

/** A request and reply as far as the filter reads and writes them. */
function host(sent: number[]): ArgumentsHost {
  const request = { method: 'POST', url: '/sync', routeOptions: { url: '/sync' } };
  const reply = {
    status(code: number) {
      sent.push(code);
      return this;
    },
    headers() {
      return this;
    },
    send() {
      return this;
    },
  };
  return {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ArgumentsHost;
}

describe(MatrixExceptionFilter.name, () => {
  it('refuses each request of an exhausted pool with 429, warning once per 10 s with the count', () => {
    const warnings: unknown[][] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args), error: () => undefined };
    let now = 1_000_000;
    const filter = new MatrixExceptionFilter(
      { hasRoute: () => false } as unknown as FastifyInstance,
      logger as unknown as Logger,
      () => now,
    );
    const sent: number[] = [];
    const exhausted = () => new Error('timeout exceeded when trying to connect');
    for (let i = 0; i < 500; i++) filter.catch(exhausted(), host(sent));
    expect(sent).toEqual(Array.from({ length: 500 }, () => 429));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.[0]).toMatchObject({ refused: 1, route: '/sync' });
    now += 9_999;
    filter.catch(exhausted(), host(sent));
    expect(warnings).toHaveLength(1);
    now += 1;
    filter.catch(exhausted(), host(sent));
    expect(warnings).toHaveLength(2);
    expect(warnings[1]?.[0]).toMatchObject({ refused: 501 });
    expect(String(warnings[1]?.[1])).toContain('database pool exhausted');
  });
});
