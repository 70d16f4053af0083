import type { Session } from '@gateway/auth-data';
import { esc, page } from '../pages/layout';

export interface AccountView {
  userId: string;
  sessions: Session[];
  csrf: (grantId: string) => string;
  /** MSC4191 `action` and `device_id` from the URL, to single out one session. */
  action: string | undefined;
  deviceId: string | undefined;
}

/** The account page that `account_management_uri` points to: who you are and your signed-in devices. */
export function accountPage(v: AccountView): string {
  const focus = v.deviceId === undefined ? v.sessions : v.sessions.filter((s) => s.deviceId === v.deviceId);
  const confirm = v.action === 'org.matrix.session_end';
  const rows = focus
    .map(
      (
        s,
      ) => `<li><strong>${esc(s.deviceId)}</strong> <span class="muted">via ${esc(s.clientId)}, since ${esc(s.createdAt.toISOString().slice(0, 16).replace('T', ' '))} UTC</span>
<form method="post" action="/account/sessions/${encodeURIComponent(s.grantId)}/end"><input type="hidden" name="csrf" value="${esc(v.csrf(s.grantId))}">
<button type="submit" class="${confirm ? '' : 'secondary'}">Sign out this device</button></form></li>`,
    )
    .join('');
  const empty =
    focus.length === 0
      ? `<p class="muted">${v.deviceId === undefined ? 'No signed-in devices.' : 'That device is not signed in.'}</p>`
      : '';
  const all = v.deviceId === undefined ? '' : '<p><a href="/account/">All devices</a></p>';
  return page(
    'Your account',
    `<h1>Your account</h1><p>Signed in as <strong>${esc(v.userId)}</strong></p><h2>Devices</h2><ul>${rows}</ul>${empty}${all}
<form method="get" action="/logout"><button type="submit" class="secondary">Sign out of this browser</button></form>`,
  );
}
