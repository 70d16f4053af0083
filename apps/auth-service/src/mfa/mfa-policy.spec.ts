import { describe, expect, it } from 'vitest';
import { mfaRequiredFor } from './mfa-policy';

describe('AUTH_MFA_REQUIRED', () => {
  it('requires nobody when off, admins only for admins, and every user for everyone', () => {
    const admin = { admin: true };
    const user = { admin: false };
    expect([mfaRequiredFor('off', admin), mfaRequiredFor('off', user)]).toEqual([false, false]);
    expect([mfaRequiredFor('admins', admin), mfaRequiredFor('admins', user)]).toEqual([true, false]);
    expect([mfaRequiredFor('everyone', admin), mfaRequiredFor('everyone', user)]).toEqual([true, true]);
  });
});
