import type { AuthStore, User } from '@gateway/auth-data';
import { hashPassword, needsRehash } from './passwords';

/**
 * After a password has been proven (sign-in page or legacy `/login`): a hash imported from Synapse
 * (bcrypt) is replaced by argon2id, so imported accounts reach the service's own hashing at their first
 * sign-in. Nothing happens for an argon2id hash.
 */
export async function upgradeImportedHash(store: AuthStore, user: User, password: string): Promise<void> {
  if (!needsRehash(user.passwordHash)) return;
  await store.users.setPassword(user.id, await hashPassword(password));
}
