import { errorLine, esc, page } from '../pages/layout';
import { passkeyOptionsElement } from '../pages/passkey-options';
import { providerButtons, type ProviderButton } from '../pages/provider-buttons';

export interface SsoSignInForm {
  id: string;
  csrf: string;
  destination: string;
  username?: string;
  error?: string;
}

/**
 * The sign-in page of a legacy `m.login.sso` redirect; it names where the login token will go.
 * `passwords: false` (AUTH_PASSWORD_LOGIN_ENABLED off) leaves the password form out and says so;
 * `providers`: one button per upstream provider, as on the OIDC sign-in page.
 */
export function ssoSignInPage(
  f: SsoSignInForm & { passwords?: boolean; providers?: readonly ProviderButton[] },
): string {
  const passwordForm =
    f.passwords === false
      ? '<p class="muted">This server does not accept passwords: continue with one of these.</p>'
      : `<form method="post" action="/complete-compat-sso/${esc(f.id)}"><input type="hidden" name="csrf" value="${esc(f.csrf)}">
<label for="username">Username</label><input type="text" id="username" name="username" value="${esc(f.username)}" autocomplete="username" required autofocus>
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Continue</button></form>`;
  return page(
    'Sign in',
    `<h1>Sign in</h1><p class="muted">to continue to <strong>${esc(f.destination)}</strong></p>${errorLine(f.error)}
${passwordForm}
${providerButtons(f.providers ?? [])}`,
  );
}

/**
 * After a right password, for an account with two-factor authentication: a code from the app, a
 * passkey (`passkeyOptions`, when the account has one) or a recovery code; `totp: false` when the
 * account has passkeys only.
 */
export function ssoSecondFactorPage(
  f: SsoSignInForm & { pending: string; passkeyOptions?: string; totp?: boolean },
): string {
  const hidden = `<input type="hidden" name="csrf" value="${esc(f.csrf)}"><input type="hidden" name="pending" value="${esc(f.pending)}">`;
  const passkey =
    f.passkeyOptions === undefined
      ? ''
      : `${passkeyOptionsElement(f.passkeyOptions)}
<form method="post" action="/complete-compat-sso/${esc(f.id)}/mfa-passkey" data-passkey="get">${hidden}<input type="hidden" name="response" value="">
<p class="error" data-passkey-status aria-live="polite"></p>
<button type="submit">Use a passkey</button></form>`;
  const code =
    f.totp === false
      ? `<label for="code">Recovery code</label><input type="text" id="code" name="code" autocomplete="one-time-code" required>
<p class="muted">Lost your passkey? Type one of your recovery codes.</p>`
      : `<label for="code">Code from your authenticator app</label><input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus>
<p class="muted">Lost your phone? Type one of your recovery codes instead.</p>`;
  return page(
    'Two-factor authentication',
    `<h1>${f.totp === false ? 'Use your passkey' : 'Enter a code'}</h1><p class="muted">to continue to <strong>${esc(f.destination)}</strong></p>${errorLine(f.error)}
${passkey}<form method="post" action="/complete-compat-sso/${esc(f.id)}/mfa">${hidden}
${code}
<button type="submit">Continue</button></form>`,
    { passkeyScript: f.passkeyOptions !== undefined },
  );
}
