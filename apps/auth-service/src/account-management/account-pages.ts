import { esc, errorLine, page } from '../pages/layout';
import type { AccountSession } from './account-sessions';

/** CSRF tokens of the page's forms, each bound to the user and what the form acts on. */
export type CsrfFor = (...target: string[]) => string;

export interface OverviewView {
  userId: string;
  displayName: string | null;
  sessions: AccountSession[];
  csrf: CsrfFor;
  notice?: string;
  profileError?: string;
  passwordError?: string;
  /** A session asked for by `device_id` that is not (or no longer) signed in. */
  missingDevice?: string;
  /** The user's addresses; `canChange`: AUTH_EMAIL_CHANGE_ALLOWED with mail configured. */
  emails: { list: { id: string; email: string; confirmedAt: Date | null }[]; canChange: boolean };
  emailError?: string;
  /** What was typed into the add form, shown again with its error. */
  emailInput?: string;
  /** Whether two-factor authentication is on; null when the server does not offer it. */
  mfa: boolean | null;
  /** Upstream providers: the user's links and the providers to link; null when none is configured or linked. */
  upstream: UpstreamView | null;
  upstreamError?: string;
  /**
   * The password section: `change` (the form), `none` (the account has no password: it was made through
   * an upstream provider), `off` (AUTH_PASSWORD_LOGIN_ENABLED=false: passwords are not a way in here).
   */
  password: 'change' | 'none' | 'off';
}

function passwordSection(v: OverviewView): string {
  if (v.password === 'off')
    return v.passwordError === undefined
      ? ''
      : `<h2 id="password">Password</h2>${errorLine(v.passwordError)}`;
  if (v.password === 'none')
    return `<h2 id="password">Password</h2>${errorLine(v.passwordError)}<p class="muted">This account has no password: you sign in through a linked provider${v.upstream === null ? '' : ' (Sign-in methods, above)'} or a passkey.</p>`;
  return `<h2 id="password">Password</h2>${errorLine(v.passwordError)}
<form method="post" action="/account/password">${hidden(v.csrf('password'))}
<label for="current_password">Current password</label><input type="password" id="current_password" name="current_password" autocomplete="current-password" required>
<label for="new_password">New password</label><input type="password" id="new_password" name="new_password" autocomplete="new-password" required minlength="8">
<label for="confirm_password">New password again</label><input type="password" id="confirm_password" name="confirm_password" autocomplete="new-password" required minlength="8">
<button type="submit" class="small">Change password</button></form>`;
}

export interface UpstreamView {
  links: { id: string; providerName: string; accountName: string | null; createdAt: Date }[];
  /** Enabled providers, each with the link that starts linking (its CSRF token in the query). */
  providers: { name: string; href: string }[];
}

/** "Sign-in methods": the linked provider accounts with Unlink, and a Link button per provider. */
function upstreamSection(v: OverviewView): string {
  const u = v.upstream;
  if (u === null) return '';
  const items = u.links
    .map(
      (
        l,
      ) => `<li><div><strong>${esc(l.providerName)}</strong>${l.accountName === null ? '' : ` <span class="muted">· ${esc(l.accountName)}</span>`}</div>
<div class="muted">Linked ${esc(when(l.createdAt))}</div>
<form method="post" action="/account/linked-accounts/${encodeURIComponent(l.id)}/unlink">${hidden(v.csrf('upstream-unlink', l.id))}<button type="submit" class="small secondary">Unlink ${esc(l.providerName)}</button></form></li>`,
    )
    .join('');
  const buttons = u.providers
    .map((p) => {
      const [path = '', query = ''] = p.href.split('?');
      const fields = [...new URLSearchParams(query)]
        .map(([k, val]) => `<input type="hidden" name="${esc(k)}" value="${esc(val)}">`)
        .join('');
      return `<form method="get" action="${esc(path)}">${fields}<button type="submit" class="small">Link ${esc(p.name)}</button></form>`;
    })
    .join('');
  return `<h2 id="linked-accounts">Sign-in methods</h2>${errorLine(v.upstreamError)}
${items === '' ? '<p class="muted">No linked accounts.</p>' : `<ul class="sessions">${items}</ul>`}${buttons}`;
}

function emailsSection(v: OverviewView): string {
  const { list, canChange } = v.emails;
  if (list.length === 0 && !canChange) return '';
  const items = list
    .map((e) => {
      const remove = canChange
        ? `<form method="post" action="/account/emails/${encodeURIComponent(e.id)}/remove">${hidden(v.csrf('emails-remove', e.id))}<button type="submit" class="small secondary">Remove ${esc(e.email)}</button></form>`
        : '';
      return `<li><div><strong>${esc(e.email)}</strong>${e.confirmedAt === null ? ' <span class="muted">(not verified)</span>' : ''}</div>${remove}</li>`;
    })
    .join('');
  const add = canChange
    ? `<form method="post" action="/account/emails">${hidden(v.csrf('emails-add'))}
<label for="email">Add an email address</label><input type="email" id="email" name="email" value="${esc(v.emailInput)}" autocomplete="email" required>
<button type="submit" class="small">Send a code</button></form>`
    : '';
  return `<h2 id="emails">Email addresses</h2>${errorLine(v.emailError)}
${items === '' ? '<p class="muted">No email address.</p>' : `<ul class="sessions">${items}</ul>`}${add}`;
}

const hidden = (csrf: string): string => `<input type="hidden" name="csrf" value="${esc(csrf)}">`;
const when = (d: Date): string => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
/** "Last active … from …", or nothing when no activity was recorded. */
function lastActive(s: AccountSession): string {
  if (s.lastActiveAt === null) return '';
  return `Last active ${when(s.lastActiveAt)}${s.lastActiveIp === null ? '' : ` from ${s.lastActiveIp}`}`;
}

/** Where the form that ends a session posts. */
export function endPath(s: AccountSession): string {
  const id = encodeURIComponent(s.id);
  switch (s.kind) {
    case 'oauth':
      return `/account/sessions/${id}/end`;
    case 'compat':
      return `/account/compat-sessions/${id}/end`;
    case 'browser':
      return `/account/browser-sessions/${id}/end`;
  }
}

export function sessionCsrf(csrf: CsrfFor, s: AccountSession): string {
  return csrf(`end-${s.kind}`, s.id);
}

function endForm(csrf: CsrfFor, s: AccountSession, label: string, cls: string): string {
  return `<form method="post" action="${endPath(s)}">${hidden(sessionCsrf(csrf, s))}<button type="submit" class="${cls}">${esc(label)}</button></form>`;
}

function sessionItem(s: AccountSession, csrf: CsrfFor): string {
  const title =
    s.deviceId === null ? esc(s.client) : `${esc(s.client)} <span class="muted">· ${esc(s.deviceId)}</span>`;
  const view =
    s.deviceId === null
      ? ''
      : ` · <a href="/account/?action=org.matrix.session_view&amp;device_id=${encodeURIComponent(s.deviceId)}">Details</a>`;
  const current = s.current ? ' <strong>(this browser)</strong>' : '';
  const label = s.kind === 'browser' ? 'Sign out this browser' : 'Sign out this device';
  return `<li><div><strong>${title}</strong>${current}</div>
<div class="muted">Signed in ${esc(when(s.signedInAt))}${s.lastActiveAt === null ? '' : ` · ${esc(lastActive(s))}`}${view}</div>${endForm(csrf, s, label, 'small secondary')}</li>`;
}

/** The page `account_management_uri` points to: profile, password, sessions, and the rarer actions. */
export function overviewPage(v: OverviewView): string {
  const sessions = v.sessions.map((s) => sessionItem(s, v.csrf)).join('');
  return page(
    'Your account',
    `<h1>Your account</h1><p>Signed in as <strong>${esc(v.userId)}</strong></p>
${v.notice === undefined ? '' : `<p class="notice" role="status">${esc(v.notice)}</p>`}
${v.missingDevice === undefined ? '' : `<p class="error" role="alert">The device ${esc(v.missingDevice)} is not signed in.</p>`}
<h2 id="profile">Profile</h2>${errorLine(v.profileError)}
<form method="post" action="/account/profile">${hidden(v.csrf('profile'))}
<label for="displayname">Display name</label><input type="text" id="displayname" name="displayname" value="${esc(v.displayName)}" maxlength="256" autocomplete="nickname">
<button type="submit" class="small">Save display name</button></form>
${emailsSection(v)}
${upstreamSection(v)}
${passwordSection(v)}
${
  v.mfa === null
    ? ''
    : `<h2 id="mfa">Two-factor authentication</h2><p class="muted">${v.mfa ? 'On.' : 'Off.'} <a href="/account/mfa">${v.mfa ? 'Manage two-factor authentication' : 'Set up two-factor authentication'}</a></p>`
}
<h2 id="sessions">Signed-in sessions</h2>
${sessions === '' ? '<p class="muted">No signed-in sessions.</p>' : `<ul class="sessions">${sessions}</ul>`}
<h2 id="tokens">Personal access tokens</h2><p class="muted"><a href="/account/tokens">Manage personal access tokens</a></p>
<h2>Encryption</h2><p class="muted">Lost your recovery key and all your devices? <a href="/account/?action=org.matrix.cross_signing_reset">Reset your identity</a></p>
<h2>Deactivate</h2><p class="muted"><a href="/account/?action=org.matrix.account_deactivate">Deactivate this account</a></p>
<form method="get" action="/logout"><button type="submit" class="secondary">Sign out of this browser</button></form>`,
    { wide: true },
  );
}

/** One session (MSC4191 `device_view`, `device_delete`): what it is, and a way to end it. */
export function sessionPage(v: { session: AccountSession; csrf: CsrfFor; confirmEnd: boolean }): string {
  const s = v.session;
  const question = v.confirmEnd
    ? `<p>Sign out ${esc(s.client)} on this device? It loses access to your account.</p>`
    : '';
  return page(
    v.confirmEnd ? 'Sign out a device' : 'Device',
    `<h1>${v.confirmEnd ? 'Sign out a device?' : esc(s.client)}</h1>
<dl><dt>App</dt><dd>${esc(s.client)}</dd><dt>Device</dt><dd>${esc(s.deviceId)}</dd><dt>Signed in</dt><dd>${esc(when(s.signedInAt))}</dd><dt>Last active</dt><dd>${s.lastActiveAt === null ? 'unknown' : esc(when(s.lastActiveAt))}</dd><dt>IP address</dt><dd>${esc(s.lastActiveIp ?? 'unknown')}</dd><dt>Kind</dt><dd>${s.kind === 'compat' ? 'Legacy login' : 'OAuth 2.0'}</dd></dl>
${question}${endForm(v.csrf, s, 'Sign out this device', v.confirmEnd ? 'danger' : 'secondary')}
<p><a href="/account/">Back to your account</a></p>`,
    { wide: true },
  );
}

/** Element X's "reset identity" (Synapse links here): approve replacing the cross-signing keys. */
export function crossSigningResetPage(v: { userId: string; csrf: string; error?: string }): string {
  return page(
    'Reset your identity',
    `<h1>Reset your identity?</h1>${errorLine(v.error)}
<p>Your app asks to replace the cross-signing keys of <strong>${esc(v.userId)}</strong>. Do this only if you
have lost your recovery key and every signed-in device.</p>
<p class="muted">Your message history stays encrypted with the old keys and may become unreadable; your
contacts will see that your identity changed.</p>
<form method="post" action="/account/cross-signing-reset">${hidden(v.csrf)}<button type="submit" class="danger">Allow the reset</button></form>
<p><a href="/account/">Cancel</a></p>`,
  );
}

export function crossSigningAllowedPage(): string {
  return page(
    'Identity reset allowed',
    `<h1>Identity reset allowed</h1><p>Go back to your app to finish the reset. The permission lasts 10 minutes.</p>
<p><a href="/account/">Back to your account</a></p>`,
  );
}

/** MSC4191 `account_deactivate`: confirmed with the password. */
/**
 * `confirm`: the account's password, or, for an account without one (made through an upstream
 * provider), its user ID typed out — a deliberate act, since the browser session already proves who it is.
 */
export function deactivatePage(v: {
  userId: string;
  csrf: string;
  confirm: 'password' | 'user-id';
  error?: string;
}): string {
  const confirm =
    v.confirm === 'password'
      ? '<label for="password">Your password</label><input type="password" id="password" name="password" autocomplete="current-password" required>'
      : `<label for="confirm_user_id">Type your user ID, ${esc(v.userId)}, to confirm</label><input type="text" id="confirm_user_id" name="confirm_user_id" autocomplete="off" spellcheck="false" required>`;
  return page(
    'Deactivate your account',
    `<h1>Deactivate your account?</h1>${errorLine(v.error)}
<p><strong>${esc(v.userId)}</strong> will be signed out everywhere and can no longer be used. This cannot be undone by you.</p>
<form method="post" action="/account/deactivate">${hidden(v.csrf)}
${confirm}
<label><input type="checkbox" name="erase" value="yes"> Also erase my messages and profile</label>
<button type="submit" class="danger">Deactivate account</button></form>
<p><a href="/account/">Cancel</a></p>`,
  );
}
