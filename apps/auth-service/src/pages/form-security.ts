import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { PAGE_CSP } from './layout';

/**
 * CSRF tokens for the HTML forms: an HMAC over what the form acts on (an interaction, a user's session),
 * so a token is only good for that one target and needs no server-side storage.
 */
export function csrfToken(key: string, ...binding: string[]): string {
  return createHmac('sha256', key).update(binding.join('\n')).digest('base64url');
}

export function csrfValid(key: string, token: string | undefined, ...binding: string[]): boolean {
  const expected = Buffer.from(csrfToken(key, ...binding));
  const given = Buffer.from(token ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * An HTML page response: never framed (clickjacking), never cached (it carries CSRF tokens), nothing
 * but its own stylesheet allowed to load or run (PAGE_CSP).
 */
export function sendHtml(reply: FastifyReply, html: string, status = 200): void {
  void reply
    .status(status)
    .header('Content-Type', 'text/html; charset=utf-8')
    .header('X-Frame-Options', 'DENY')
    .header('Content-Security-Policy', PAGE_CSP)
    .header('Cache-Control', 'no-store')
    .send(html);
}
