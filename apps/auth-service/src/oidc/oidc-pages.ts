import type { KoaContextWithOIDC } from 'oidc-provider';
import { esc, errorLine, page, PAGE_CSP } from '../pages/layout';

/**
 * The pages oidc-provider renders itself (device-code entry at /link, logout, errors), in this service's
 * look and under the same CSP as every other page. oidc-provider supplies each `form` with its own CSRF
 * field; the buttons submit it by id.
 */

function html(ctx: KoaContextWithOIDC, title: string, body: string): void {
  ctx.type = 'html';
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = page(title, body);
}

/**
 * The action and CSRF value of oidc-provider's device-code input form. Its form carries an unlabelled
 * `user_code` input of its own (and an inline `onfocus` script the CSP blocks); rendering that form next
 * to our labelled field sent `user_code` twice, which oidc-provider refuses as a duplicate parameter, so
 * only these two values are taken and the form is ours.
 */
function deviceInputForm(form: string): { action: string; xsrf: string } {
  const action = /<form[^>]*\saction="([^"]+)"/.exec(form)?.[1];
  const xsrf = /name="xsrf"\s+value="([^"]*)"/.exec(form)?.[1];
  if (action === undefined || xsrf === undefined)
    throw new Error('oidc-provider device input form changed shape: no action or xsrf field');
  return { action, xsrf };
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
  // The action and value come from oidc-provider's own markup, already HTML-escaped there.
  const { action, xsrf } = deviceInputForm(form);
  html(
    ctx,
    'Link a device',
    `<h1>Link a device</h1><p class="muted">Enter the code shown on your device.</p>${errorLine(message)}
<form method="post" action="${action}"><input type="hidden" name="xsrf" value="${xsrf}">
<label for="user_code">Code</label>
<input type="text" id="user_code" name="user_code" autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus>
<button type="submit">Continue</button></form>`,
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

/**
 * A POST to the device-code page (/link) from a browser without oidc-provider's session cookie: the
 * form's CSRF value lives in that session, so it can never pass, and oidc-provider itself answered it
 * with a 500 (it tries to re-save a session it never saved; found by the security tier). Answered here,
 * before oidc-provider runs, with the page's own 400 and a way back.
 */
export function expiredLinkForm(codeVerificationPath: string) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    if (
      ctx.method === 'POST' &&
      ctx.path === codeVerificationPath &&
      ctx.cookies.get('_session') === undefined
    ) {
      ctx.status = 400;
      html(
        ctx,
        'Link a device',
        `<h1>Link a device</h1>${errorLine('This page expired. Open it again to enter your code.')}<p><a href="${esc(codeVerificationPath)}">Enter the code again</a></p>`,
      );
      return;
    }
    await next();
  };
}
