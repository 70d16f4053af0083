import type { FastifyInstance, FastifyReply } from 'fastify';

/** The endpoints browsers call (Element Call in any origin, Element X's webview): CORS on every answer. */
export const CORS_PATHS: readonly string[] = ['/get_token', '/sfu/get', '/delegate_delayed_leave'];

const CORS_HEADERS = {
  'Content-Type': 'application/json',
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST',
  'Access-Control-Allow-Headers': 'Accept, Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token',
};

const methodNotAllowed = (_request: unknown, reply: FastifyReply): void => {
  void reply.code(405).send();
};

const preflight = (_request: unknown, reply: FastifyReply): void => {
  void reply.code(200).send();
};

/**
 * HTTP details lk-jwt-service clients rely on, set at the Fastify level:
 * - bodies arrive as raw text whatever their Content-Type (lk-jwt-service never looks at it, and the
 *   webhook signature covers the exact bytes);
 * - CORS headers on every response of the token endpoints, errors and 405s included;
 * - an OPTIONS preflight is an empty 200 (the CORS headers are the answer);
 * - a wrong method on a known path is 405 with an empty body (Nest would answer with JSON).
 * The token endpoints' POST routes themselves are token-routes.ts.
 */
export function configureRtcFastify(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (CORS_PATHS.includes(request.url.split('?')[0] ?? '')) void reply.headers(CORS_HEADERS);
    done(null, payload);
  });
  for (const url of CORS_PATHS) {
    fastify.route({ method: 'OPTIONS', url, handler: preflight });
    fastify.route({ method: ['GET', 'PUT', 'DELETE', 'PATCH'], url, handler: methodNotAllowed });
  }
  fastify.route({
    method: ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
    url: '/healthz',
    handler: methodNotAllowed,
  });
}
