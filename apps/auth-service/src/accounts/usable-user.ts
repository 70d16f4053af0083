import type { User } from '@gateway/auth-data';

/**
 * Whether the account may sign in and its tokens may work: it exists, and is neither deactivated nor
 * locked (MAS refuses both alike). Every sign-in path and both introspection branches ask this one question.
 */
export function isUsableUser(user: User | null | undefined): user is User {
  return user !== null && user !== undefined && user.deactivatedAt === null && user.lockedAt === null;
}
