import type { FastifyInstance } from 'fastify';
import type { RegisteredRoute } from './fuzz-endpoint';

/**
 * An app's own options plus a Fastify onRoute hook that records every route it registers (Nest's
 * controllers and raw Fastify routes alike): the test harnesses expose the list, and the security tier
 * fails when a route is neither fuzzed nor excluded.
 */
/** What it needs of libs/server's AppOptions (importing that type would make the two libs a cycle). */
interface FastifyOptions {
  configureFastify?: (fastify: FastifyInstance) => void;
}

export function withRouteLog<T extends FastifyOptions>(options: T, routes: RegisteredRoute[]): T {
  return {
    ...options,
    configureFastify: (fastify: FastifyInstance) => {
      fastify.addHook('onRoute', (route) => {
        for (const method of [route.method].flat()) routes.push({ method, url: route.url });
      });
      options.configureFastify?.(fastify);
    },
  };
}
