import { describe, expect, it } from 'vitest';
import { parseMatrixError, parseSynapseUser, provisionUserBody, unavailableReason } from './synapse-mas-wire';

describe('provisionUserBody', () => {
  it('sends only the localpart when nothing changes', () => {
    expect(provisionUserBody({ localpart: 'alice' })).toEqual({ localpart: 'alice' });
  });

  it('maps values to set_*, null to unset_*, and never both', () => {
    expect(
      provisionUserBody({
        localpart: 'alice',
        displayName: 'Alice',
        avatarUrl: null,
        emails: ['a@example.org'],
        locked: false,
      }),
    ).toEqual({
      localpart: 'alice',
      set_displayname: 'Alice',
      unset_avatar_url: true,
      set_emails: ['a@example.org'],
      locked: false,
    });
    expect(
      provisionUserBody({ localpart: 'alice', displayName: null, avatarUrl: 'mxc://x/y', emails: null }),
    ).toEqual({
      localpart: 'alice',
      unset_displayname: true,
      set_avatar_url: 'mxc://x/y',
      unset_emails: true,
    });
  });

  it('sends an empty e-mail list as set_emails: [] (same effect as unset_emails)', () => {
    expect(provisionUserBody({ localpart: 'a', emails: [] })).toEqual({ localpart: 'a', set_emails: [] });
  });
});

describe('parseSynapseUser', () => {
  const wire = {
    user_id: '@alice:localhost',
    display_name: null,
    avatar_url: 'mxc://x/y',
    is_suspended: false,
    is_deactivated: true,
  };

  it('reads query_user’s body', () => {
    expect(parseSynapseUser(wire)).toEqual({
      userId: '@alice:localhost',
      displayName: null,
      avatarUrl: 'mxc://x/y',
      isSuspended: false,
      isDeactivated: true,
    });
  });

  it('rejects anything else', () => {
    expect(parseSynapseUser(undefined)).toBeNull();
    expect(parseSynapseUser({})).toBeNull();
    expect(parseSynapseUser({ ...wire, is_suspended: 'no' })).toBeNull();
    expect(parseSynapseUser({ ...wire, display_name: 3 })).toBeNull();
    expect(parseSynapseUser({ ...wire, avatar_url: undefined })).toBeNull();
  });
});

describe('parseMatrixError and unavailableReason', () => {
  it('keeps string errcode and error only', () => {
    expect(parseMatrixError({ errcode: 'M_NOT_FOUND', error: 'User not found' })).toEqual({
      errcode: 'M_NOT_FOUND',
      error: 'User not found',
    });
    expect(parseMatrixError({ errcode: 1 })).toEqual({ errcode: undefined, error: undefined });
    expect(parseMatrixError('<html>')).toEqual({ errcode: undefined, error: undefined });
  });

  it('knows the three errcodes is_localpart_available uses for "taken"', () => {
    expect(unavailableReason('M_USER_IN_USE')).toBe('in_use');
    expect(unavailableReason('M_INVALID_USERNAME')).toBe('invalid');
    expect(unavailableReason('M_EXCLUSIVE')).toBe('exclusive');
    expect(unavailableReason('M_UNKNOWN')).toBeUndefined();
    expect(unavailableReason(undefined)).toBeUndefined();
  });
});
