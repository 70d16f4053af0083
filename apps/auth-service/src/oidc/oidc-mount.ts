import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import { OIDC_ROUTES } from './provider.factory';
import type { RateLimiter } from '@gateway/util';
import { retryAfterSeconds, type AuthLimits } from '../rate-limits/auth-limits';
import { rememberClientAddress } from '../client-address';
import { AUTH_LIMITS, OIDC_PROVIDER } from '../tokens';

const PROVIDER_PATHS = ['/.well-known/openid-configuration', ...Object.values(OIDC_ROUTES)];

function ownedByProvider(path: string): boolean {
  return PROVIDER_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

/**
 * Hands oidc-provider's paths to it untouched. It is a complete Koa application that parses its own
 * bodies, so the request is taken over in `onRequest`, before Fastify reads the body. The one exception
 * is Synapse's introspection call (a Bearer shared secret, not client credentials), which the
 * IntrospectionRoute answers.
 */
@Injectable()
export class OidcMount implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(OIDC_PROVIDER) private readonly provider: Provider,
    @Inject(AUTH_LIMITS) private readonly limits: AuthLimits,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const callback = this.provider.callback();
    fastify.addHook('onRequest', (request, reply, done) => {
      const path = request.url.split('?')[0] ?? '/';
      const synapseIntrospection =
        path === OIDC_ROUTES.introspection && /^Bearer /i.test(request.headers.authorization ?? '');
      if (!ownedByProvider(path) || synapseIntrospection) {
        done();
        return;
      }
      const handOver = () => {
        rememberClientAddress(request.raw, request.ip);
        reply.hijack();
        void callback(request.raw, reply.raw);
      };
      const limiter = request.method === 'POST' ? this.limiterFor(path) : null;
      if (limiter === null) {
        handOver();
        return;
      }
      limiter.consume(request.ip).then((decision) => {
        if (decision.allowed) {
          handOver();
          return;
        }
        // RFC 6749 has no rate-limit error; 429 with Retry-After is what OAuth clients back off on.
        void reply
          .code(429)
          .header('Retry-After', retryAfterSeconds(decision.retryAfterMs))
          .header('Cache-Control', 'no-store')
          .send({
            error: 'temporarily_unavailable',
            error_description: 'Too many requests from this address; retry later.',
          });
      }, done);
    });
  }

  private limiterFor(path: string): RateLimiter | null {
    if (path === OIDC_ROUTES.token) return this.limits.tokenPerIp;
    if (path === OIDC_ROUTES.registration) return this.limits.clientRegistrationPerIp;
    return null;
  }
}
