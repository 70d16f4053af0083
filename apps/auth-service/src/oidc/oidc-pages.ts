import type { KoaContextWithOIDC } from 'oidc-provider';
import { esc, errorLine, page } from '../pages/layout';

/**
 * The pages oidc-provider renders itself (device-code entry at /link, logout, errors), in this service's
 * look. oidc-provider supplies each `form` with its own CSRF field; the buttons submit it by id.
 */

function html(ctx: KoaContextWithOIDC, title: string, body: string): void {
  ctx.type = 'html';
  ctx.set('X-Frame-Options', 'DENY');
  ctx.body = page(title, body);
}

export function renderDeviceCodeInput(
  ctx: KoaContextWithOIDC,
  form: string,
  _out?: unknown,
  err?: { userCode?: unknown; name?: string },
): void {
  const message =
    err === undefined
      ? undefined
      : err.userCode !== undefined || err.name === 'NoCodeError'
        ? 'That code is not right. Try again.'
        : 'Something went wrong. Try again.';
  html(
    ctx,
    'Link a device',
    `<h1>Link a device</h1><p class="muted">Enter the code shown on your device.</p>${errorLine(message)}
${form}<label for="user_code">Code</label>
<input type="text" id="user_code" name="user_code" form="op.deviceInputForm" autocomplete="off" autocapitalize="characters" required>
<button type="submit" form="op.deviceInputForm">Continue</button>`,
  );
}

export function renderDeviceConfirm(
  ctx: KoaContextWithOIDC,
  form: string,
  client: { clientName?: string; clientId: string },
  _info: unknown,
  userCode: string,
): void {
  html(
    ctx,
    'Confirm the device',
    `<h1>Confirm the device</h1><p><strong>${esc(client.clientName ?? client.clientId)}</strong> wants to sign in.
Check that your device shows this code:</p><p><code>${esc(userCode)}</code></p>${form}
<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" class="secondary" form="op.deviceConfirmForm" name="abort" value="yes">Cancel</button>`,
  );
}

export function renderDeviceSuccess(ctx: KoaContextWithOIDC): void {
  html(
    ctx,
    'Device linked',
    '<h1>Device linked</h1><p>You can close this page and go back to your device.</p>',
  );
}

export function renderLogout(ctx: KoaContextWithOIDC, form: string): void {
  html(
    ctx,
    'Sign out',
    `<h1>Sign out?</h1><p class="muted">This ends your session in this browser.</p>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button type="submit" class="secondary" form="op.logoutForm">Stay signed in</button>`,
  );
}

export function renderLogoutDone(ctx: KoaContextWithOIDC): void {
  html(ctx, 'Signed out', '<h1>Signed out</h1><p>You have been signed out of this browser.</p>');
}

export function renderError(
  ctx: KoaContextWithOIDC,
  out: { error: string; error_description?: string | undefined },
): void {
  const description = out.error_description ?? 'The request could not be completed.';
  html(
    ctx,
    'Something went wrong',
    `<h1>Something went wrong</h1><p>${esc(description)}</p><p class="muted">${esc(out.error)}</p>`,
  );
}
