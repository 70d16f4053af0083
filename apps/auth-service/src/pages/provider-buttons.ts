import { esc } from './layout';

/** A sign-in page's button for an upstream provider (a link to `/upstream/authorize/...`). */
export interface ProviderButton {
  name: string;
  href: string;
}

/** A link's query as hidden fields: a GET form submits them (its action's own query would be dropped). */
function hiddenQuery(href: string): string {
  const query = href.includes('?') ? href.slice(href.indexOf('?') + 1) : '';
  return [...new URLSearchParams(query)]
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
}

/** One GET form per provider, so the buttons look like the page's others (the OIDC and legacy SSO sign-in pages). */
export function providerButtons(providers: readonly ProviderButton[]): string {
  return providers
    .map(
      (p) =>
        `<form method="get" action="${esc(p.href.split('?')[0])}">${hiddenQuery(p.href)}<button type="submit" class="secondary">Continue with ${esc(p.name)}</button></form>`,
    )
    .join('\n');
}
