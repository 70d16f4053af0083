import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/** The CORS headers Synapse sets on every client API answer (synapse/http/server.py in Synapse's repository). */
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
  'access-control-allow-headers': 'X-Requested-With, Content-Type, Authorization, Date',
};

/**
 * Browser clients (Element Web classic) call `/login`, `/refresh` and `/logout` cross-origin, as they did
 * on Synapse: every answer under `/_matrix/client/` carries Synapse's CORS headers, errors included (set
 * in `onRequest`, before any handler or the exception filter), and a preflight `OPTIONS` is an empty 204.
 */
@Injectable()
export class ClientApiCors implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request, reply, done) => {
      if (!request.url.startsWith('/_matrix/client/')) {
        done();
        return;
      }
      void reply.headers(CORS_HEADERS);
      if (request.method === 'OPTIONS') {
        void reply.code(204).send();
        return;
      }
      done();
    });
  }
}
