import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * The CSP of every response of oidc-provider, set before it runs: our own page renders replace it with
 * PAGE_CSP, and the pages it writes itself get their one inline script allowed by hash, which
 * oidc-provider appends to an existing `script-src` — the auto-submitting form behind the QR link that
 * carries the user code, the `form_post` response mode, and the sign-out of a different account's
 * session when someone signs in over it (actions/authorization/resume.js). Without a policy there,
 * those pages would run under none at all and could be framed. JSON answers ignore it.
 */
const PROVIDER_PAGE_CSP = "default-src 'none'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'";

export function providerPageCsp() {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    ctx.set('Content-Security-Policy', PROVIDER_PAGE_CSP);
    await next();
  };
}
