import { Controller, Get, Inject, Options, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  clientWellKnown,
  WELL_KNOWN_CLIENT_PATH,
  type DiscoveryOptions,
  type UpstreamWellKnown,
} from './client-well-known';

/** The CORS headers Synapse sets on every client API answer, well-known included (synapse/http/server.py). */
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
  'access-control-allow-headers': 'X-Requested-With, Content-Type, Authorization, Date',
};

export const WELL_KNOWN_DISCOVERY = Symbol('WELL_KNOWN_DISCOVERY');

export interface WellKnownDiscovery {
  upstream: UpstreamWellKnown;
  options: DiscoveryOptions;
}

/**
 * `GET /.well-known/matrix/client`, answered by the proxy itself so that a client given the server name
 * finds the proxy (and its sliding sync) as the homeserver, and the RTC focus (MSC4143).
 */
@Controller()
export class WellKnownController {
  constructor(@Inject(WELL_KNOWN_DISCOVERY) private readonly discovery: WellKnownDiscovery) {}

  @Get(WELL_KNOWN_CLIENT_PATH)
  async clientWellKnown(@Res() reply: FastifyReply): Promise<void> {
    const doc = clientWellKnown(await this.discovery.upstream.get(), this.discovery.options);
    void reply.headers(CORS_HEADERS).header('content-type', 'application/json');
    if (doc === undefined) {
      // Synapse's answer when it serves no client well-known (synapse/rest/well_known.py).
      await reply
        .code(404)
        .send(JSON.stringify({ errcode: 'M_NOT_FOUND', error: '.well-known not available' }));
      return;
    }
    await reply.code(200).send(JSON.stringify(doc));
  }

  /** Browser preflight: Synapse answers OPTIONS on every path with an empty 204 and the CORS headers. */
  @Options(WELL_KNOWN_CLIENT_PATH)
  async preflight(@Res() reply: FastifyReply): Promise<void> {
    await reply.code(204).headers(CORS_HEADERS).send();
  }
}
