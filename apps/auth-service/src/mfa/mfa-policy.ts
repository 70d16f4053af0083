/** AUTH_MFA_REQUIRED: who must have a second factor before a sign-in completes. */
export const MFA_POLICIES = ['off', 'admins', 'everyone'] as const;
export type MfaPolicy = (typeof MFA_POLICIES)[number];

export function mfaRequiredFor(policy: MfaPolicy, user: { admin: boolean }): boolean {
  return policy === 'everyone' || (policy === 'admins' && user.admin);
}
