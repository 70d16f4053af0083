import type { AuthStore, User } from '@gateway/auth-data';
import {
  checkLocalpart,
  localpartFromLoginIdentifier,
  LOCALPART_PROBLEM_MESSAGES,
  type BannedUsernames,
} from './localpart';
import { PASSWORD_PROBLEM_MESSAGES } from './password-policy';
import type { PasswordRules } from './password-rules';
import { upgradeImportedHash } from './hash-upgrade';
import { hashPassword, verifyPassword } from './passwords';
import { isUsableUser } from './usable-user';

export type RegistrationResult = { ok: true; user: User } | { ok: false; reason: string };

/** Password accounts: sign-in and self-service registration. */
export class Accounts {
  constructor(
    private readonly store: AuthStore,
    private readonly homeserver: string,
    readonly passwords: PasswordRules,
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

  /**
   * Sets a user's password (account page, recovery, operator CLI) after the password rules, checked
   * against the user's names; `skipCheck` is the CLI's `--ignore-complexity` (MAS's).
   */
  async setPassword(
    localpart: string,
    password: string,
    { skipCheck = false }: { skipCheck?: boolean } = {},
  ): Promise<RegistrationResult> {
    const user = await this.store.users.findByLocalpart(localpart.trim().toLowerCase());
    if (!user) return { ok: false, reason: 'No such user.' };
    const problem = skipCheck
      ? this.passwords.checkLength(password)
      : await this.passwords.check(password, user);
    if (problem !== null) return { ok: false, reason: PASSWORD_PROBLEM_MESSAGES[problem] };
    await this.store.users.setPassword(user.id, await hashPassword(password));
    return { ok: true, user };
  }

  /**
   * An account without a password: one registered through an upstream provider, which is its way to
   * sign in (a password can be set later through recovery).
   */
  async registerWithoutPassword(username: string): Promise<RegistrationResult> {
    const localpart = username.trim().toLowerCase();
    const localpartProblem = checkLocalpart(localpart, this.homeserver, this.banned);
    if (localpartProblem !== null) return { ok: false, reason: LOCALPART_PROBLEM_MESSAGES[localpartProblem] };
    const user = await this.store.users.create({ localpart, passwordHash: null });
    return user ? { ok: true, user } : { ok: false, reason: 'That username is taken.' };
  }

  /** `skipCheck`: the CLI's `--ignore-password-complexity` (MAS's `register-user`). */
  async register(
    username: string,
    password: string,
    admin = false,
    { skipCheck = false }: { skipCheck?: boolean } = {},
  ): Promise<RegistrationResult> {
    const localpart = username.trim().toLowerCase();
    const localpartProblem = checkLocalpart(localpart, this.homeserver, this.banned);
    if (localpartProblem !== null) return { ok: false, reason: LOCALPART_PROBLEM_MESSAGES[localpartProblem] };
    const passwordProblem = skipCheck
      ? this.passwords.checkLength(password)
      : this.passwords.checkNew(password, localpart);
    if (passwordProblem !== null) return { ok: false, reason: PASSWORD_PROBLEM_MESSAGES[passwordProblem] };
    const user = await this.store.users.create({
      localpart,
      passwordHash: await hashPassword(password),
      admin,
    });
    return user ? { ok: true, user } : { ok: false, reason: 'That username is taken.' };
  }
}
