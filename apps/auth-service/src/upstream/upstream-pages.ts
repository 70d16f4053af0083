import { esc, errorLine, page } from '../pages/layout';
import type { CallbackProblem } from './upstream-sign-in';
import type { LinkDecision } from './upstream-registration';

export interface LinkPageContext {
  id: string;
  csrf: string;
  providerName: string;
  homeserver: string;
  error?: string;
  /** The username typed before an error, kept in the field. */
  username?: string;
}

const hidden = (csrf: string): string => `<input type="hidden" name="csrf" value="${esc(csrf)}">`;

/**
 * `/upstream/link/{link_id}`: what a first sign-in through a provider becomes — a new account, or the
 * existing account the provider's username names when `on_conflict` allows linking to it.
 */
export function linkPage(f: LinkPageContext, decision: Exclude<LinkDecision, { kind: 'refused' }>): string {
  const action = `/upstream/link/${esc(f.id)}`;
  if (decision.kind === 'existing') {
    const mxid = `@${decision.user.localpart}:${f.homeserver}`;
    const replaced =
      decision.onConflict === 'replace'
        ? `<p class="muted">Any other ${esc(f.providerName)} account linked to it is unlinked.</p>`
        : '';
    return page(
      'Continue',
      `<h1>Continue as ${esc(mxid)}</h1>${errorLine(f.error)}
<p>Your ${esc(f.providerName)} account will be linked to the existing account <strong>${esc(mxid)}</strong>, and you will be signed in to it.</p>${replaced}
<form method="post" action="${action}">${hidden(f.csrf)}<input type="hidden" name="action" value="link"><button type="submit">Continue</button></form>`,
    );
  }
  const localpart = decision.localpart.fixed
    ? `<p>Your username: <strong>${esc(`@${decision.localpart.value}:${f.homeserver}`)}</strong></p>`
    : `<label for="username">Choose a username</label><input type="text" id="username" name="username" value="${esc(f.username ?? decision.localpart.value)}" autocomplete="username" required autofocus>`;
  const imported = (
    name: string,
    label: string,
    offer: { value: string; optional: boolean } | null,
  ): string => {
    if (offer === null) return '';
    if (!offer.optional) return `<p>${esc(label)}: <strong>${esc(offer.value)}</strong></p>`;
    return `<label><input type="checkbox" name="${name}" value="on" checked> ${esc(label)}: ${esc(offer.value)}</label>`;
  };
  return page(
    'Create your account',
    `<h1>Create your account</h1><p class="muted">You signed in with <strong>${esc(f.providerName)}</strong>; no account here is linked to it yet.</p>${errorLine(f.error)}
<form method="post" action="${action}">${hidden(f.csrf)}<input type="hidden" name="action" value="register">
${localpart}
${imported('import_displayname', 'Use the display name', decision.displayName)}
${imported('import_email', 'Add the email address', decision.email)}
<button type="submit">Create account</button></form>`,
  );
}

/** What each callback problem tells the person; none of them is the server's fault. */
const CALLBACK_PAGES = {
  'upstream-error': ['Sign-in was not completed', 'The provider did not sign you in'],
  'unknown-state': ['This sign-in has expired', 'Go back to the app and start again.'],
  'other-browser': [
    'Sign-in refused',
    'This sign-in was started in another browser. Start again from the app.',
  ],
  'wrong-provider': [
    'Sign-in refused',
    'This answer came from a different provider. Start again from the app.',
  ],
  'exchange-failed': [
    'Sign-in failed',
    'The provider’s answer could not be verified. Try again, or contact the administrator if it keeps happening.',
  ],
  'no-subject': ['Sign-in failed', 'The provider did not say who you are. Contact the administrator.'],
  'signed-out': [
    'Signed out',
    'Sign in to your account again, then link the provider from the account page.',
  ],
  'linked-elsewhere': [
    'Already linked',
    'That provider account is already linked to another account on this server.',
  ],
} as const satisfies Record<CallbackProblem, readonly [string, string]>;

export function callbackProblemPage(problem: CallbackProblem, detail?: string): string {
  const [title, message] = CALLBACK_PAGES[problem];
  const extra = detail === undefined || detail === '' ? '' : `<p class="muted">${esc(detail)}</p>`;
  const text = problem === 'upstream-error' ? `${message}. Go back to the app and try again.` : message;
  return page(title, `<h1>${esc(title)}</h1><p>${esc(text)}</p>${extra}`);
}
