import { API_SCOPES, deviceScopeOf, SYNAPSE_ADMIN_SCOPE } from '../scopes/matrix-scopes';
import type { TotpEnrolment } from '../mfa/mfa';
import { esc, errorLine, page } from '../pages/layout';
import { qrCodeSvg } from '../mfa/qr-code';
import { passkeyOptionsElement } from '../pages/passkey-options';
import { providerButtons, type ProviderButton } from '../pages/provider-buttons';

export interface FormContext {
  uid: string;
  csrf: string;
  clientName: string;
  error?: string;
  username?: string;
}

const hidden = (csrf: string): string => `<input type="hidden" name="csrf" value="${esc(csrf)}">`;

/**
 * `canRecover`: AUTH_PASSWORD_RECOVERY_ENABLED, a link to `/recover`; `passkeys`: the passkey way in;
 * `passwords: false` (AUTH_PASSWORD_LOGIN_ENABLED off) leaves the password form out; `providers`: one
 * button per upstream provider, under the form.
 */
export function loginPage(
  f: FormContext & {
    canRegister: boolean;
    canRecover?: boolean;
    passkeys?: boolean;
    passwords?: boolean;
    providers?: readonly ProviderButton[];
  },
): string {
  const passwordForm =
    f.passwords === false
      ? ''
      : `<form method="post" action="/interaction/${esc(f.uid)}/login">${hidden(f.csrf)}
<label for="username">Username</label><input type="text" id="username" name="username" value="${esc(f.username)}" autocomplete="username" required autofocus>
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>`;
  const providers = providerButtons(f.providers ?? []);
  return page(
    'Sign in',
    `<h1>Sign in</h1><p class="muted">to continue to <strong>${esc(f.clientName)}</strong></p>${errorLine(f.error)}
${passwordForm}
${providers}
${f.passkeys === true ? `<p><a href="/interaction/${esc(f.uid)}/passkey">Sign in with a passkey</a></p>` : ''}
${f.canRecover === true ? '<p class="muted"><a href="/recover">Forgot your password?</a></p>' : ''}
${f.canRegister ? `<form method="get" action="/interaction/${esc(f.uid)}/register"><button type="submit" class="secondary">Create an account</button></form>` : ''}
<form method="post" action="/interaction/${esc(f.uid)}/abort">${hidden(f.csrf)}<button type="submit" class="secondary">Cancel</button></form>`,
  );
}

/** `token`: the registration token field, present when the operator requires one. */
export function registerPage(f: FormContext & { token?: { value: string } }): string {
  return page(
    'Create an account',
    `<h1>Create an account</h1><p class="muted">for <strong>${esc(f.clientName)}</strong></p>${errorLine(f.error)}
<form method="post" action="/interaction/${esc(f.uid)}/register">${hidden(f.csrf)}
<label for="username">Username</label><input type="text" id="username" name="username" value="${esc(f.username)}" autocomplete="username" required autofocus>
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="new-password" required minlength="8">
${f.token ? `<label for="token">Registration token</label><input type="text" id="token" name="token" value="${esc(f.token.value)}" autocomplete="off" required>` : ''}
<button type="submit">Create account</button></form>
<form method="post" action="/interaction/${esc(f.uid)}/abort">${hidden(f.csrf)}<button type="submit" class="secondary">Cancel</button></form>`,
  );
}

export function consentPage(f: FormContext & { scopes: string[]; user: string }): string {
  const items = f.scopes.map((s) => `<li>${esc(describeScope(s))}</li>`).join('');
  return page(
    'Allow access',
    `<h1>Allow access?</h1><p><strong>${esc(f.clientName)}</strong> wants to act as <strong>${esc(f.user)}</strong>:</p><ul>${items}</ul>
<form method="post" action="/interaction/${esc(f.uid)}/consent">${hidden(f.csrf)}<button type="submit">Allow</button></form>
<form method="post" action="/interaction/${esc(f.uid)}/abort">${hidden(f.csrf)}<button type="submit" class="secondary">Deny</button></form>`,
  );
}

function describeScope(scope: string): string {
  if (scope === 'openid') return 'Know who you are';
  if (scope === 'email') return 'See your email address';
  if ((Object.values(API_SCOPES) as string[]).includes(scope))
    return 'Use your Matrix account: read and send messages, manage rooms';
  const device = deviceScopeOf(scope);
  if (device) return `Sign in as a new device (${device.id})`;
  if (scope === SYNAPSE_ADMIN_SCOPE) return 'Administer the homeserver';
  return scope;
}

/**
 * After a right password, for an account with two-factor authentication: a code from the app, a
 * passkey (`passkeyOptions`, when the account has one), or a recovery code. `totp: false`: the account
 * has passkeys only, so the code field takes recovery codes alone.
 */
export function secondFactorPage(
  f: FormContext & { pending: string; passkeyOptions?: string; totp?: boolean },
): string {
  const pending = `<input type="hidden" name="pending" value="${esc(f.pending)}">`;
  const passkey =
    f.passkeyOptions === undefined
      ? ''
      : `${passkeyOptionsElement(f.passkeyOptions)}
<form method="post" action="/interaction/${esc(f.uid)}/mfa-passkey" data-passkey="get">${hidden(f.csrf)}${pending}<input type="hidden" name="response" value="">
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
    `<h1>${f.totp === false ? 'Use your passkey' : 'Enter a code'}</h1><p class="muted">to continue to <strong>${esc(f.clientName)}</strong></p>${errorLine(f.error)}
${passkey}<form method="post" action="/interaction/${esc(f.uid)}/mfa">${hidden(f.csrf)}${pending}
${code}
<button type="submit">Continue</button></form>
<form method="post" action="/interaction/${esc(f.uid)}/abort">${hidden(f.csrf)}<button type="submit" class="secondary">Cancel</button></form>`,
    { passkeyScript: f.passkeyOptions !== undefined },
  );
}

/** Passwordless sign-in: any passkey of this site, with user verification. */
export function passkeySignInPage(f: FormContext & { passkeyOptions: string }): string {
  return page(
    'Sign in with a passkey',
    `<h1>Sign in with a passkey</h1><p class="muted">to continue to <strong>${esc(f.clientName)}</strong></p>${errorLine(f.error)}
${passkeyOptionsElement(f.passkeyOptions)}
<form method="post" action="/interaction/${esc(f.uid)}/passkey" data-passkey="get">${hidden(f.csrf)}<input type="hidden" name="response" value="">
<p class="error" data-passkey-status aria-live="polite"></p>
<button type="submit">Use a passkey</button></form>
<p><a href="/interaction/${esc(f.uid)}">Use your password instead</a></p>
<form method="post" action="/interaction/${esc(f.uid)}/abort">${hidden(f.csrf)}<button type="submit" class="secondary">Cancel</button></form>`,
    { passkeyScript: true },
  );
}

/**
 * AUTH_MFA_REQUIRED: an account without a second factor sets one up before the sign-in completes, either
 * an authenticator app (confirmed with its code) or a passkey (`passkeyOptions`, creation options bound
 * to this sign-in, answered through the passkey script).
 */
export function enrolStepPage(
  f: FormContext & { pending: string; enrolment: TotpEnrolment; passkeyOptions: string },
): string {
  const pending = `<input type="hidden" name="pending" value="${esc(f.pending)}">`;
  return page(
    'Set up two-factor authentication',
    `<h1>Set up two-factor authentication</h1><p class="muted">This server requires it to continue to <strong>${esc(f.clientName)}</strong>. Set up an authenticator app or a passkey.</p>${errorLine(f.error)}
<h2>An authenticator app</h2>
<p>Add this account to an authenticator app (any app for time-based codes), then type the code it shows.</p>
<p>Scan this code with your authenticator app:</p><p>${qrCodeSvg(f.enrolment.uri, 'QR code to add this account to an authenticator app')}</p>
<p><a href="${esc(f.enrolment.uri)}">Open in your authenticator app</a></p>
<p class="muted">Or enter this key by hand:</p><p><code id="totp-secret">${esc(f.enrolment.secret.replace(/(.{4})(?=.)/g, '$1 '))}</code></p>
<form method="post" action="/interaction/${esc(f.uid)}/mfa-enrol">${hidden(f.csrf)}${pending}
<label for="code">Code from the app</label><input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit">Turn on and continue</button></form>
<h2>A passkey</h2>
<p>Or use this device's screen lock or a security key.</p>
${passkeyOptionsElement(f.passkeyOptions)}
<form method="post" action="/interaction/${esc(f.uid)}/mfa-enrol-passkey" data-passkey="create">${hidden(f.csrf)}${pending}<input type="hidden" name="response" value="">
<label for="passkey-name">Name for the passkey</label><input type="text" id="passkey-name" name="name" maxlength="64" placeholder="Laptop">
<p class="error" data-passkey-status aria-live="polite"></p>
<button type="submit">Register a passkey and continue</button></form>
<form method="post" action="/interaction/${esc(f.uid)}/abort">${hidden(f.csrf)}<button type="submit" class="secondary">Cancel</button></form>`,
    { passkeyScript: true },
  );
}

/** The recovery codes of a factor set up during sign-in, shown once before continuing. */
export function enrolledStepPage(f: FormContext & { pending: string; recoveryCodes: string[] }): string {
  return page(
    'Recovery codes',
    `<h1>Your recovery codes</h1>
<p class="notice" role="status">Each works once, in place of your second factor. Keep them somewhere safe: they are not shown again.</p>
<ul id="recovery-codes">${f.recoveryCodes.map((c) => `<li><code>${esc(c)}</code></li>`).join('')}</ul>
<form method="post" action="/interaction/${esc(f.uid)}/mfa-enrolled">${hidden(f.csrf)}<input type="hidden" name="pending" value="${esc(f.pending)}">
<button type="submit">Continue</button></form>`,
  );
}
