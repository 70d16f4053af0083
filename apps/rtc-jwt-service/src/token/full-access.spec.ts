import { MatrixError } from '@gateway/matrix';
import { describe, expect, it } from 'vitest';
import { DELEGATION_REFUSED, FullAccessPolicy, parseFullAccessHomeservers, planGrant } from './full-access';

describe(parseFullAccessHomeservers.name, () => {
  it('splits on commas and whitespace', () => {
    expect(parseFullAccessHomeservers('example.com, another.example.com')).toEqual([
      'example.com',
      'another.example.com',
    ]);
    expect(parseFullAccessHomeservers(' a.com,b.com  c.com\td.com ,')).toEqual([
      'a.com',
      'b.com',
      'c.com',
      'd.com',
    ]);
    expect(parseFullAccessHomeservers('  ')).toEqual([]);
    expect(parseFullAccessHomeservers('*')).toEqual(['*']);
  });
});

describe(FullAccessPolicy.name, () => {
  const policy = new FullAccessPolicy(parseFullAccessHomeservers('example.com, another.example.com'));

  it.each([
    ['example.com', true],
    ['another.example.com', true],
    ['aanother.example.com', false],
    ['matrix.example.com', false],
    ['EXAMPLE.COM', false],
    ['example.com:8448', false],
  ])('matches %s exactly: %s', (name, expected) => {
    expect(policy.isFullAccess(name)).toBe(expected);
  });

  it('grants everyone for a lone *', () => {
    expect(new FullAccessPolicy(['*']).isFullAccess('anything.org')).toBe(true);
  });

  it('treats * as a literal name when listed with others', () => {
    const mixed = new FullAccessPolicy(parseFullAccessHomeservers('*,a.com'));
    expect(mixed.isFullAccess('b.com')).toBe(false);
    expect(mixed.isFullAccess('a.com')).toBe(true);
  });

  it('grants nobody for an empty list', () => {
    expect(new FullAccessPolicy([]).isFullAccess('example.com')).toBe(false);
  });
});

describe(planGrant.name, () => {
  it('creates rooms for full-access users on the token endpoints', () => {
    expect(planGrant('get_token', true, false)).toEqual({
      createRoom: true,
      delegateDelayedLeave: false,
      canPublish: true,
    });
    expect(planGrant('sfu_get', true, true)).toEqual({
      createRoom: true,
      delegateDelayedLeave: true,
      canPublish: true,
    });
  });

  it('never creates rooms for restricted users, who may still publish by default', () => {
    expect(planGrant('get_token', false, false)).toEqual({
      createRoom: false,
      delegateDelayedLeave: false,
      canPublish: true,
    });
    expect(planGrant('sfu_get', false, false).createRoom).toBe(false);
  });

  it('can withhold publishing from restricted users, as MSC4195 asks', () => {
    expect(planGrant('get_token', false, false, { restrictedCanPublish: false }).canPublish).toBe(false);
    expect(planGrant('get_token', true, false, { restrictedCanPublish: false }).canPublish).toBe(true);
  });

  it.each(['get_token', 'sfu_get'] as const)(
    'refuses delegation by restricted users on %s with 400 M_BAD_JSON',
    (endpoint) => {
      const error = catchError(() => planGrant(endpoint, false, true));
      expect([error.status, error.errcode, error.message]).toEqual([400, 'M_BAD_JSON', DELEGATION_REFUSED]);
    },
  );

  it('refuses restricted users on /delegate_delayed_leave with 403 M_FORBIDDEN', () => {
    const error = catchError(() => planGrant('delegate_delayed_leave', false, true));
    expect([error.status, error.errcode, error.message]).toEqual([
      403,
      'M_FORBIDDEN',
      'Delegation of delayed events is only supported for full access users',
    ]);
  });

  it('lets full-access users delegate without creating a room on /delegate_delayed_leave', () => {
    expect(planGrant('delegate_delayed_leave', true, true)).toEqual({
      createRoom: false,
      delegateDelayedLeave: true,
      canPublish: true,
    });
  });
});

function catchError(run: () => unknown): MatrixError {
  try {
    run();
  } catch (error) {
    if (error instanceof MatrixError) return error;
    throw error;
  }
  throw new Error('expected a MatrixError');
}
