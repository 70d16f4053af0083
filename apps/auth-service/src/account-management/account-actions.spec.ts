import { describe, expect, it } from 'vitest';
import { ACCOUNT_MANAGEMENT_ACTIONS } from '../oidc/provider.factory';
import { accountView, isAccountAction } from './account-actions';

describe('accountView', () => {
  it('has a view for every action the discovery document advertises', () => {
    expect(Object.fromEntries(ACCOUNT_MANAGEMENT_ACTIONS.map((a) => [a, accountView(a)]))).toEqual({
      'org.matrix.profile': 'overview',
      'org.matrix.devices_list': 'overview',
      'org.matrix.device_view': 'session',
      'org.matrix.device_delete': 'session-end',
      'org.matrix.account_deactivate': 'deactivate',
      'org.matrix.cross_signing_reset': 'cross-signing-reset',
      'org.matrix.sessions_list': 'overview',
      'org.matrix.session_view': 'session',
      'org.matrix.session_end': 'session-end',
    });
  });

  it('reads the unprefixed aliases MAS reads', () => {
    expect(['profile', 'sessions_list', 'session_view', 'session_end'].map(accountView)).toEqual([
      'overview',
      'overview',
      'session',
      'session-end',
    ]);
  });

  it('shows the overview for an unknown or absent action, and carries only known ones through a sign-in', () => {
    expect(accountView('org.example.nope')).toBe('overview');
    expect(accountView('__proto__')).toBe('overview');
    expect(accountView(undefined)).toBe('overview');
    expect(isAccountAction('toString')).toBe(false);
    expect(isAccountAction('org.matrix.cross_signing_reset')).toBe(true);
  });
});
