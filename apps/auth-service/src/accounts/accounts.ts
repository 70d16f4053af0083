import type { AuthStore, User } from '@gateway/auth-data';
import {
  checkLocalpart,
  localpartFromLoginIdentifier,
  LOCALPART_PROBLEM_MESSAGES,
  type BannedUsernames,
} from './localpart';
import { checkPassword, PASSWORD_PROBLEM_MESSAGES } from './password-policy';
import { upgradeImportedHash } from './hash-upgrade';
import { hashPassword, verifyPassword } from './passwords';
import { isUsableUser } from './usable-user';

export type RegistrationResult = { ok: true; user: User } | { ok: false; reason: string };

/** Password accounts: sign-in and self-service registration. */
export class Accounts {
  constructor(
    private readonly store: AuthStore,
    private readonly homeserver: string,
    /** Names nobody may register (the membership clients' service user, AUTH_MEMBERSHIP_USER). */
    private readonly banned: BannedUsernames = {},
  ) {}

  /**
   * The user when the password is right, else null. A password hash is checked even when there is no
   * such user, so the time taken does not tell which part was wrong.
   */
  async authenticate(username: string, password: string): Promise<User | null> {
    const localpart = localpartFromLoginIdentifier(username.toLowerCase(), this.homeserver);
    const user = localpart === null ? null : await this.store.users.findByLocalpart(localpart);
    const ok = await verifyPassword(user?.passwordHash ?? null, password);
    // A locked account (admin API) is refused like a deactivated one, after the same hashing work.
    if (!ok || !isUsableUser(user)) return null;
    await upgradeImportedHash(this.store, user, password);
    return user;
  }

  /** Sets a user's password (operator CLI); the same policy as registration. */
  async setPassword(localpart: string, password: string): Promise<RegistrationResult> {
    const user = await this.store.users.findByLocalpart(localpart.trim().toLowerCase());
    if (!user) return { ok: false, reason: 'No such user.' };
    const problem = checkPassword(password, user.localpart);
    if (problem !== null) return { ok: false, reason: PASSWORD_PROBLEM_MESSAGES[problem] };
    await this.store.users.setPassword(user.id, await hashPassword(password));
    return { ok: true, user };
  }

  async register(username: string, password: string, admin = false): Promise<RegistrationResult> {
    const localpart = username.trim().toLowerCase();
    const localpartProblem = checkLocalpart(localpart, this.homeserver, this.banned);
    if (localpartProblem !== null) return { ok: false, reason: LOCALPART_PROBLEM_MESSAGES[localpartProblem] };
    const passwordProblem = checkPassword(password, localpart);
    if (passwordProblem !== null) return { ok: false, reason: PASSWORD_PROBLEM_MESSAGES[passwordProblem] };
    const user = await this.store.users.create({
      localpart,
      passwordHash: await hashPassword(password),
      admin,
    });
    return user ? { ok: true, user } : { ok: false, reason: 'That username is taken.' };
  }
}
