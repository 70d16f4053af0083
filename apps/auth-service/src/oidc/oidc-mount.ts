import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import { OIDC_ROUTES } from './provider.factory';
import { OIDC_PROVIDER } from '../tokens';

const PROVIDER_PATHS = ['/.well-known/openid-configuration', ...Object.values(OIDC_ROUTES)];

function ownedByProvider(path: string): boolean {
  return PROVIDER_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

/**
 * Hands oidc-provider's paths to it untouched. It is a complete Koa application that parses its own
 * bodies, so the request is taken over in `onRequest`, before Fastify reads the body. The one exception
 * is Synapse's introspection call (a Bearer shared secret, not client credentials), which the
 * IntrospectionController answers.
 */
@Injectable()
export class OidcMount implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(OIDC_PROVIDER) private readonly provider: Provider,
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
      reply.hijack();
      void callback(request.raw, reply.raw);
    });
  }
}
