import { messagePage } from '../pages/layout';

/**
 * Whether a legacy `m.login.sso` login is still open, shared by the two folders that finish one: compat/
 * (its own page's password form) and upstream/ (the page's provider buttons). Kept apart from both so
 * neither imports the other's internals.
 */

/** How long the sign-in page of an SSO redirect stays usable (its provider buttons included). */
export const SSO_PAGE_TTL_MS = 15 * 60_000;

/** Whether an SSO login can still be completed: not used, and its page not expired. */
export function ssoLoginOpen(
  login: { fulfilledAt: Date | null; createdAt: Date } | null,
  now: number,
): boolean {
  return login !== null && login.fulfilledAt === null && login.createdAt.getTime() + SSO_PAGE_TTL_MS > now;
}

/** The answer of a completion page, or of a provider button, whose SSO login is used or expired (404). */
export function ssoExpiredPage(): string {
  return messagePage(
    'Sign-in expired',
    'This sign-in link is not valid any more. Go back to the app and try again.',
  );
}
