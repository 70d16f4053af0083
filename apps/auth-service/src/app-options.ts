import type { FastifyInstance } from 'fastify';
import { MatrixError } from '@gateway/matrix';
import { hasUnstorableText } from '@gateway/util';
import type { AppOptions } from '@gateway/server';
import type { AuthConfig } from './config';

/**
 * HTML forms post `application/x-www-form-urlencoded`. The first value of a repeated field wins.
 * (oidc-provider's own endpoints and Synapse's introspection call, introspection/introspection-route.ts,
 * read their bodies themselves and never reach Fastify's parsers.)
 */
function configureAuthFastify(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      const form: Record<string, string> = {};
      for (const [key, value] of new URLSearchParams(
        typeof body === 'string' ? body : body.toString('utf8'),
      )) {
        if (!(key in form)) form[key] = value;
      }
      // As libs/server's JSON parser: Postgres cannot store U+0000 (nor an unpaired surrogate), so a
      // username or code carrying one failed as a 500 (found by the security tier); no field needs them.
      if (hasUnstorableText(form))
        done(
          new MatrixError('M_INVALID_PARAM', 'Form fields must not contain NUL or unpaired surrogates.'),
          undefined,
        );
      else done(null, form);
    },
  );
}

/** How the app is served; shared by main.ts and the tests, so tests run what production runs. */
export function authAppOptions(config: AuthConfig): AppOptions & { bind: AuthConfig['bind'] } {
  return {
    name: 'auth-service',
    logLevel: config.logLevel,
    bind: config.bind,
    metricsBind: config.metricsBind,
    trustedProxies: config.trustedProxies,
    bodyLimit: 64 * 1024,
    configureFastify: configureAuthFastify,
  };
}
