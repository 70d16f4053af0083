import type { ACCOUNT_MANAGEMENT_ACTIONS } from '../oidc/provider.factory';

/** What the account page shows for an MSC4191 `?action=`. */
export type AccountView = 'overview' | 'session' | 'session-end' | 'cross-signing-reset' | 'deactivate';

/**
 * Every action the discovery document advertises, and the unprefixed aliases MAS also reads (MSC3824's
 * first names), mapped to a view: the `satisfies` makes an advertised action without a view a type error.
 */
const VIEWS = {
  'org.matrix.profile': 'overview',
  'org.matrix.devices_list': 'overview',
  'org.matrix.sessions_list': 'overview',
  'org.matrix.device_view': 'session',
  'org.matrix.session_view': 'session',
  'org.matrix.device_delete': 'session-end',
  'org.matrix.session_end': 'session-end',
  'org.matrix.cross_signing_reset': 'cross-signing-reset',
  'org.matrix.account_deactivate': 'deactivate',
  profile: 'overview',
  sessions_list: 'overview',
  session_view: 'session',
  session_end: 'session-end',
} as const satisfies Record<(typeof ACCOUNT_MANAGEMENT_ACTIONS)[number], AccountView> &
  Record<string, AccountView>;

/** The view for an action; an unknown or absent action shows the overview, as MAS does. */
export function accountView(action: string | undefined): AccountView {
  return action !== undefined && Object.hasOwn(VIEWS, action)
    ? VIEWS[action as keyof typeof VIEWS]
    : 'overview';
}

/** The actions a sign-in may carry back to the page (the `state` of the account client's request). */
export function isAccountAction(action: string): boolean {
  return Object.hasOwn(VIEWS, action);
}
