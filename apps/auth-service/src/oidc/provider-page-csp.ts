import type { KoaContextWithOIDC } from 'oidc-provider';
import { OIDC_ROUTES } from './provider.factory';

/**
 * The CSP of every response of oidc-provider's page routes (`/link`, `/logout`), set before it renders:
 * our own renders replace it with PAGE_CSP, and the one page it writes itself — the auto-submitting form
 * behind the QR link that carries the user code — gets its one inline script allowed by hash, which
 * oidc-provider appends to an existing `script-src`. No other script can run there.
 */
const PROVIDER_PAGE_CSP = "default-src 'none'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'";

export function providerPageCsp() {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    if (
      ctx.method === 'GET' &&
      (ctx.path === OIDC_ROUTES.code_verification || ctx.path === OIDC_ROUTES.end_session)
    )
      ctx.set('Content-Security-Policy', PROVIDER_PAGE_CSP);
    await next();
  };
}
