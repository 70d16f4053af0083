import type { IncomingMessage } from 'node:http';
import type { Session } from '@gateway/auth-data';
import type { AuditEventType } from '../audit/audit-events';
import type { AuditLog } from '../audit/audit-log';
import { clientAddressOf } from '../client-address';

/** The part of oidc-provider's Koa context read here. */
interface RevocationContext {
  req?: IncomingMessage;
  get?: (header: string) => string;
  oidc?: {
    route?: string;
    client?: { clientId?: string };
    session?: { accountId?: string };
    params?: Record<string, unknown>;
  };
}

/**
 * Records why oidc-provider revoked a grant, from the route that did it: `/oauth2/revoke` (a client
 * revoked one of the session's tokens), the token endpoint (a refresh token presented twice, so the
 * whole session was ended as a precaution), or the logout page. Fail-open: the revocation stands.
 */
export function noteGrantRevoked(
  audit: AuditLog,
  ctx: unknown,
  grantId: string,
  session: Session | null,
): Promise<void> {
  const c = (typeof ctx === 'object' && ctx !== null ? ctx : {}) as RevocationContext;
  const route = c.oidc?.route;
  const type: AuditEventType =
    route === 'revocation' ? 'token.revoked' : route === 'token' ? 'refresh.replayed' : 'session.ended';
  const agent = c.get?.('user-agent');
  return audit.note({
    type,
    outcome: 'succeeded',
    // A replayed refresh token may be a thief's: nobody known acted.
    actor:
      session === null || type === 'refresh.replayed'
        ? { kind: 'anonymous' }
        : { kind: 'user', id: session.userId },
    subject: grantId,
    origin: {
      ip: c.req === undefined ? null : clientAddressOf(c.req),
      userAgent: agent === undefined || agent === '' ? null : agent,
    },
    details: {
      client_id: c.oidc?.client?.clientId ?? null,
      device_id: session?.deviceId ?? null,
      user_id: session?.userId ?? null,
    },
  });
}

/**
 * `/logout` confirmed with "sign out of everything": the browser session ends (its Matrix sessions stay,
 * `expiresWithSession`), recorded as the account page records ending a browser session. A logout from
 * one client only, or without a signed-in session, ends nothing of the user's and is not recorded.
 */
export function noteBrowserLogout(audit: AuditLog, ctx: unknown): Promise<void> {
  const c = (typeof ctx === 'object' && ctx !== null ? ctx : {}) as RevocationContext;
  const accountId = c.oidc?.session?.accountId;
  if (accountId === undefined || c.oidc?.params?.['logout'] === undefined) return Promise.resolve();
  const agent = c.get?.('user-agent');
  return audit.note({
    type: 'session.ended',
    outcome: 'succeeded',
    actor: { kind: 'user', id: accountId },
    // A browser session's id is its cookie's key: not kept.
    subject: null,
    origin: {
      ip: c.req === undefined ? null : clientAddressOf(c.req),
      userAgent: agent === undefined || agent === '' ? null : agent,
    },
    details: { kind: 'browser', via: 'logout' },
  });
}
