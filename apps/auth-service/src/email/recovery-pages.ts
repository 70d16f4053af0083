import { errorLine, esc, page } from '../pages/layout';

/** `/recover`: the address to send the link to. */
export function recoverPage(v: { email?: string; error?: string }): string {
  return page(
    'Reset your password',
    `<h1>Reset your password</h1>${errorLine(v.error)}
<p class="muted">We send a link to choose a new password to the email address of your account.</p>
<form method="post" action="/recover">
<label for="email">Email address</label><input type="email" id="email" name="email" value="${esc(v.email)}" autocomplete="email" required autofocus>
<button type="submit">Send the link</button></form>`,
  );
}

/** The same answer whether or not an account has the address. */
export function recoverSentPage(minutes: number): string {
  return page(
    'Check your mail',
    `<h1>Check your mail</h1><p role="status">If an account has that address, we sent it a link to choose a new password.
The link works for ${esc(minutes)} minutes, once.</p>`,
  );
}

/** The link's page: the new password, twice. */
export function recoverFinishPage(v: { ticket: string; error?: string }): string {
  return page(
    'Choose a new password',
    `<h1>Choose a new password</h1>${errorLine(v.error)}
<form method="post" action="/recover/finish"><input type="hidden" name="ticket" value="${esc(v.ticket)}">
<label for="new_password">New password</label><input type="password" id="new_password" name="new_password" autocomplete="new-password" required minlength="8" autofocus>
<label for="confirm_password">New password again</label><input type="password" id="confirm_password" name="confirm_password" autocomplete="new-password" required minlength="8">
<button type="submit">Set the new password</button></form>`,
  );
}

export function recoverDonePage(): string {
  return page(
    'Password changed',
    `<h1>Password changed</h1><p role="status">Sign in with your new password. Devices already signed in stay signed in.</p>
<p><a href="/account/">Go to your account</a></p>`,
  );
}
