import type { AuthStore, User, UserFilter } from '@gateway/auth-data';
import { silentLog, type Log, AdminApiError } from '@gateway/server';
import type { Clock } from '@gateway/util';
import { AccountLifecycle } from '../accounts/account-lifecycle';
import { checkLocalpart, LOCALPART_PROBLEM_MESSAGES } from '../accounts/localpart';
import { PASSWORD_PROBLEM_MESSAGES } from '../accounts/password-policy';
import type { PasswordRules } from '../accounts/password-rules';
import { hashPassword } from '../accounts/passwords';
import type { SessionEnd } from '../sessions/session-end';
import { SynapseCallError } from '../synapse/synapse-call-error';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import { notFound } from './not-found';

/**
 * What an operator does to users through the admin API, each change mirrored in Synapse through
 * `/_synapse/mas/*` before the answer (so the answer means the homeserver agrees): creation and the lock
 * flag through provision_user, deactivation through delete_user, reactivation through reactivate_user.
 * The lifecycle itself is accounts/account-lifecycle.ts, shared with the operator CLI; this class adds
 * the admin API's lookups and errors.
 */
export class AdminUsers {
  private readonly lifecycle: AccountLifecycle;

  constructor(
    private readonly store: AuthStore,
    private readonly synapse: SynapseMasClient,
    // Kept for the module's wiring; ending sessions now deletes devices through the lifecycle.
    _sessionEnd: SessionEnd,
    private readonly homeserver: string,
    private readonly passwords: PasswordRules,
    clock: Clock,
    private readonly log: Log = silentLog,
  ) {
    this.lifecycle = new AccountLifecycle(store, synapse, clock);
  }

  async get(id: string): Promise<User> {
    const user = await this.store.users.findById(id);
    if (!user) throw notFound('User', id);
    return user;
  }

  async byUsername(username: string): Promise<User> {
    const user = await this.store.users.findByLocalpart(username);
    if (!user) throw new AdminApiError(404, `User with username "${username}" not found`);
    return user;
  }

  list(filter: UserFilter, page: Parameters<AuthStore['users']['list']>[1]) {
    return this.store.users.list(filter, page);
  }

  count(filter: UserFilter): Promise<number> {
    return this.store.users.count(filter);
  }

  async create(username: string, skipHomeserverCheck: boolean): Promise<User> {
    const problem = checkLocalpart(username, this.homeserver);
    if (problem !== null)
      throw new AdminApiError(400, `Invalid username: ${LOCALPART_PROBLEM_MESSAGES[problem]}`);
    if (await this.store.users.findByLocalpart(username)) throw new AdminApiError(409, 'User already exists');
    if (!skipHomeserverCheck) {
      const availability = await this.homeserverCall(() => this.synapse.isLocalpartAvailable(username));
      if (!availability.available)
        throw new AdminApiError(409, 'Username is not available on the homeserver');
    }
    const user = await this.store.users.create({ localpart: username, passwordHash: null });
    if (!user) throw new AdminApiError(409, 'User already exists');
    await this.homeserverCall(() => this.synapse.provisionUser({ localpart: username, locked: false }));
    return user;
  }

  /** MAS's `skip_password_check` skips the strength rules; the length window still bounds the hashing. */
  async setPassword(id: string, password: string, skipCheck: boolean): Promise<void> {
    const user = await this.get(id);
    const problem = skipCheck
      ? this.passwords.checkLength(password)
      : await this.passwords.check(password, user);
    if (problem !== null)
      throw new AdminApiError(400, `Password is too weak: ${PASSWORD_PROBLEM_MESSAGES[problem]}`);
    await this.store.users.setPassword(user.id, await hashPassword(password));
  }

  async setAdmin(id: string, admin: boolean): Promise<User> {
    return this.lifecycle.setAdmin(await this.get(id), admin);
  }

  /** Removes every second factor (TOTP, passkeys, recovery codes): a user who lost theirs. */
  async resetMfa(id: string): Promise<User> {
    const user = await this.get(id);
    await this.store.passkeys.removeAllFactors(user.id);
    return user;
  }

  /** Locks: sign-in refused, every token inactive at introspection, Synapse told. */
  async lock(id: string): Promise<User> {
    const user = await this.get(id);
    return this.homeserverCall(() => this.lifecycle.lock(user));
  }

  async unlock(id: string): Promise<User> {
    const user = await this.get(id);
    return this.homeserverCall(() => this.lifecycle.unlock(user));
  }

  /**
   * Deactivates: the user's sessions end here and Synapse deactivates the account (devices, tokens, room
   * memberships), erasing its data unless `skipErase`.
   */
  async deactivate(id: string, skipErase: boolean): Promise<User> {
    const user = await this.get(id);
    return this.homeserverCall(() => this.lifecycle.deactivate(user, !skipErase));
  }

  async reactivate(id: string): Promise<User> {
    const user = await this.get(id);
    return this.homeserverCall(() => this.lifecycle.reactivate(user));
  }

  /** A homeserver that cannot be reached is the operator's to know about: 503, the change kept here. */
  private async homeserverCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof SynapseCallError) {
        this.log.warn(
          { err, call: err.call, status: err.status, errcode: err.errcode },
          'homeserver call failed',
        );
        throw new AdminApiError(503, `The homeserver refused or did not answer (${err.call})`);
      }
      throw err;
    }
  }
}
