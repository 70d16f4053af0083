import type { TotpEnrolment } from '../mfa/mfa';
import { esc, errorLine, page } from '../pages/layout';
import type { CsrfFor } from './account-pages';
import { qrCodeSvg } from '../mfa/qr-code';

export interface MfaView {
  csrf: CsrfFor;
  /** Null once the factor is confirmed; otherwise the secret to add to an app. */
  enrolment: TotpEnrolment | null;
  unusedRecoveryCodes: number;
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
  return page(
    'Two-factor authentication',
    `<h1>Two-factor authentication</h1>${notice}${errorLine(v.error)}${codes}${body}
<p><a href="/account/">Back to your account</a></p>`,
    { wide: true },
  );
}
