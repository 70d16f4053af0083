import { API_SCOPES, deviceScopeOf, SYNAPSE_ADMIN_SCOPE } from '../scopes/matrix-scopes';
import { esc, errorLine, page } from '../pages/layout';

export interface FormContext {
  uid: string;
  csrf: string;
  clientName: string;
  error?: string;
  username?: string;
}

const hidden = (csrf: string): string => `<input type="hidden" name="csrf" value="${esc(csrf)}">`;

/** `canRecover`: AUTH_PASSWORD_RECOVERY_ENABLED, a link to `/recover`. */
export function loginPage(f: FormContext & { canRegister: boolean; canRecover?: boolean }): string {
  return page(
    'Sign in',
    `<h1>Sign in</h1><p class="muted">to continue to <strong>${esc(f.clientName)}</strong></p>${errorLine(f.error)}
<form method="post" action="/interaction/${esc(f.uid)}/login">${hidden(f.csrf)}
<label for="username">Username</label><input type="text" id="username" name="username" value="${esc(f.username)}" autocomplete="username" required autofocus>
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>
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

/** After a right password, for an account with two-factor authentication: a code from the app. */
export function secondFactorPage(f: FormContext & { pending: string }): string {
  return page(
    'Two-factor authentication',
    `<h1>Enter a code</h1><p class="muted">to continue to <strong>${esc(f.clientName)}</strong></p>${errorLine(f.error)}
<form method="post" action="/interaction/${esc(f.uid)}/mfa">${hidden(f.csrf)}<input type="hidden" name="pending" value="${esc(f.pending)}">
<label for="code">Code from your authenticator app</label><input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus>
<p class="muted">Lost your phone? Type one of your recovery codes instead.</p>
<button type="submit">Continue</button></form>
<form method="post" action="/interaction/${esc(f.uid)}/abort">${hidden(f.csrf)}<button type="submit" class="secondary">Cancel</button></form>`,
  );
}
