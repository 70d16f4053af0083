import { errorLine, esc, page } from '../pages/layout';

const hidden = (name: string, value: string): string =>
  `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`;

/** After adding an address: the code from the mail. */
export function emailCodePage(v: { id: string; address: string; csrf: string; error?: string }): string {
  return page(
    'Verify your email',
    `<h1>Verify your email</h1>${errorLine(v.error)}
<p>We sent a code to <strong>${esc(v.address)}</strong>. Type it here, or open the link in the same mail.</p>
<form method="post" action="/account/emails/${encodeURIComponent(v.id)}/verify">${hidden('csrf', v.csrf)}
<label for="code">Code</label><input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" required autofocus>
<button type="submit">Verify</button></form>
<p><a href="/account/#emails">Back to your account</a></p>`,
  );
}

/**
 * The link's page: one more click, so that a mail scanner opening every link verifies nothing.
 */
export function emailLinkPage(v: { token: string; address: string }): string {
  return page(
    'Verify your email',
    `<h1>Verify your email</h1><p>Add <strong>${esc(v.address)}</strong> to your account?</p>
<form method="post" action="/account/emails/confirm">${hidden('token', v.token)}<button type="submit">Verify the address</button></form>`,
  );
}
