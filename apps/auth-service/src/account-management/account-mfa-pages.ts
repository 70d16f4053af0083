import type { UserPasskey } from '@gateway/auth-data';
import type { TotpEnrolment } from '../mfa/mfa';
import { passkeyOptionsElement } from '../pages/passkey-options';
import { esc, errorLine, page } from '../pages/layout';
import type { CsrfFor } from './account-pages';
import { qrCodeSvg } from '../mfa/qr-code';

export interface MfaView {
  csrf: CsrfFor;
  /** Null once the factor is confirmed; otherwise the secret to add to an app. */
  enrolment: TotpEnrolment | null;
  unusedRecoveryCodes: number;
  passkeys: UserPasskey[];
  /** The creation options for adding a passkey (JSON). */
  passkeyOptions: string;
  error?: string;
  notice?: string;
  /** Recovery codes just made: shown this once. */
  recoveryCodes?: string[];
}

const hidden = (csrf: string): string => `<input type="hidden" name="csrf" value="${esc(csrf)}">`;

/** The secret in groups of four, as apps' manual entry shows it (they ignore the spaces). */
const grouped = (secret: string): string => secret.replace(/(.{4})(?=.)/g, '$1 ');

/** A current code or the password: what turning the factor off or replacing the codes asks for. */
function proof(id: string): string {
  return `<label for="${id}-code">A code from your app</label><input type="text" id="${id}-code" name="code" inputmode="numeric" autocomplete="one-time-code">
<label for="${id}-password">or your password</label><input type="password" id="${id}-password" name="password" autocomplete="current-password">`;
}

/** `/account/mfa`: add an authenticator app, or manage the one added. */
export function mfaPage(v: MfaView): string {
  const codes =
    v.recoveryCodes === undefined
      ? ''
      : `<p class="notice" role="status">Your recovery codes. Each works once, in place of a code from your app.
Keep them somewhere safe: they are not shown again.</p>
<ul id="recovery-codes">${v.recoveryCodes.map((c) => `<li><code>${esc(c)}</code></li>`).join('')}</ul>`;
  const notice = v.notice === undefined ? '' : `<p class="notice" role="status">${esc(v.notice)}</p>`;
  const body =
    v.enrolment === null
      ? `<p>Two-factor authentication is <strong>on</strong>: signing in asks for a code from your authenticator app.</p>
<p class="muted">${v.unusedRecoveryCodes} unused recovery ${v.unusedRecoveryCodes === 1 ? 'code' : 'codes'}.</p>
<h2>New recovery codes</h2><p class="muted">The old ones stop working.</p>
<form method="post" action="/account/mfa/recovery-codes">${hidden(v.csrf('mfa-recovery-codes'))}${proof('regenerate')}
<button type="submit" class="small">Make new recovery codes</button></form>
<h2>Turn off</h2>
<form method="post" action="/account/mfa/disable">${hidden(v.csrf('mfa-disable'))}${proof('disable')}
<button type="submit" class="small danger">Turn off two-factor authentication</button></form>`
      : `<p>Add this account to an authenticator app (any app for time-based codes), then type the code it shows.</p>
<p>Scan this code with your authenticator app:</p><p>${qrCodeSvg(v.enrolment.uri, 'QR code to add this account to an authenticator app')}</p>
<p><a href="${esc(v.enrolment.uri)}">Open in your authenticator app</a></p>
<p class="muted">Or enter this key by hand:</p><p><code id="totp-secret">${esc(grouped(v.enrolment.secret))}</code></p>
<form method="post" action="/account/mfa/confirm">${hidden(v.csrf('mfa-confirm'))}
<label for="code">Code from the app</label><input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit" class="small">Turn on two-factor authentication</button></form>`;
  // With passkeys alone, the recovery codes are managed here (with TOTP, in the section above).
  const passkeyCodes =
    v.enrolment !== null && v.passkeys.length > 0
      ? `<h2>Recovery codes</h2><p class="muted">${v.unusedRecoveryCodes} unused recovery ${v.unusedRecoveryCodes === 1 ? 'code' : 'codes'}. Make new ones (the old ones stop working):</p>
<form method="post" action="/account/mfa/recovery-codes">${hidden(v.csrf('mfa-recovery-codes'))}<label for="regenerate-password">Your password</label><input type="password" id="regenerate-password" name="password" autocomplete="current-password">
<button type="submit" class="small">Make new recovery codes</button></form>`
      : '';
  return page(
    'Two-factor authentication',
    `<h1>Two-factor authentication</h1>${notice}${errorLine(v.error)}${codes}<h2>Authenticator app</h2>${body}
${passkeysSection(v)}${passkeyCodes}
<p><a href="/account/">Back to your account</a></p>`,
    { wide: true, passkeyScript: true },
  );
}

const day = (d: Date | null): string => (d === null ? 'never' : d.toISOString().slice(0, 10));

/** The user's passkeys (rename, remove with the password) and adding one (named, after the password). */
function passkeysSection(v: MfaView): string {
  const items = v.passkeys
    .map(
      (
        p,
        i,
      ) => `<li><strong class="passkey-name">${esc(p.name)}</strong> <span class="muted">added ${day(p.createdAt)}, last used ${day(p.lastUsedAt)}</span>
<form method="post" action="/account/mfa/passkeys/rename">${hidden(v.csrf('mfa-passkey-rename', p.credentialId))}<input type="hidden" name="credential" value="${esc(p.credentialId)}">
<label for="rename-${i}">New name for ${esc(p.name)}</label><input type="text" id="rename-${i}" name="name" maxlength="64" required>
<button type="submit" class="small">Rename</button></form>
<form method="post" action="/account/mfa/passkeys/remove">${hidden(v.csrf('mfa-passkey-remove', p.credentialId))}<input type="hidden" name="credential" value="${esc(p.credentialId)}">
<label for="remove-${i}">Your password, to remove ${esc(p.name)}</label><input type="password" id="remove-${i}" name="password" autocomplete="current-password">
<button type="submit" class="small danger">Remove ${esc(p.name)}</button></form></li>`,
    )
    .join('');
  return `<h2>Passkeys</h2>
<p class="muted">A passkey uses this device's screen lock or a security key: as the second step after your password, or to sign in without it.</p>
${v.passkeys.length === 0 ? '<p>No passkeys.</p>' : `<ul class="sessions" id="passkeys">${items}</ul>`}
${passkeyOptionsElement(v.passkeyOptions)}
<form method="post" action="/account/mfa/passkeys" data-passkey="create">${hidden(v.csrf('mfa-passkey-add'))}<input type="hidden" name="response" value="">
<label for="passkey-name">Name for the new passkey</label><input type="text" id="passkey-name" name="name" maxlength="64" placeholder="Laptop">
<label for="passkey-password">Your password</label><input type="password" id="passkey-password" name="password" autocomplete="current-password">
<p class="error" data-passkey-status aria-live="polite"></p>
<button type="submit" class="small">Add a passkey</button></form>`;
}
