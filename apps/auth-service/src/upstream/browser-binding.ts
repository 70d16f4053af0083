import type { FastifyReply, FastifyRequest } from 'fastify';
import { UPSTREAM_TTL_SECONDS } from './upstream-sessions';
import { RANDOM_ID } from './upstream-sign-in';

/**
 * The cookie that binds an upstream sign-in to the browser that started it: a random value kept with
 * the pending authorization and the link page's session, checked when the provider's answer and the
 * link page come back. Someone else's callback URL (a login CSRF) or link page opened in another
 * browser finds a different value and is refused. httpOnly, SameSite=Lax (sent on the provider's
 * redirect back, a top-level navigation), only under /upstream/.
 */
export const BINDING_COOKIE = 'upstream-binding';

export function bindingOf(req: FastifyRequest): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== BINDING_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return RANDOM_ID.test(value) ? value : undefined;
  }
  return undefined;
}

export function setBinding(reply: FastifyReply, value: string, secure: boolean): void {
  const attributes = [
    `${BINDING_COOKIE}=${value}`,
    'Path=/upstream/',
    `Max-Age=${UPSTREAM_TTL_SECONDS}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ];
  void reply.header('Set-Cookie', attributes.join('; '));
}
