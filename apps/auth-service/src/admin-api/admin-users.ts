import type { AuthStore, User, UserFilter, UserLifecycleChange } from '@gateway/auth-data';
import { silentLog, type Log } from '@gateway/server';
import type { Clock } from '@gateway/util';
import { checkLocalpart, LOCALPART_PROBLEM_MESSAGES } from '../accounts/localpart';
import { checkPassword, PASSWORD_PROBLEM_MESSAGES } from '../accounts/password-policy';
import { hashPassword } from '../accounts/passwords';
import type { SessionEnd } from '../sessions/session-end';
import { SynapseCallError } from '../synapse/synapse-call-error';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import { AdminApiError, notFound } from './admin-error';

/**
 * What an operator does to users through the admin API, each change mirrored in Synapse through
 * `/_synapse/mas/*` before the answer (so the answer means the homeserver agrees): creation and the lock
 * flag through provision_user, deactivation through delete_user, reactivation through reactivate_user.
 */
export class AdminUsers {
  constructor(
    private readonly store: AuthStore,
    private readonly synapse: SynapseMasClient,
    private readonly sessionEnd: SessionEnd,
    private readonly homeserver: string,
    private readonly clock: Clock,
    private readonly log: Log = silentLog,
  ) {}

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

  async setPassword(id: string, password: string, skipCheck: boolean): Promise<void> {
    const user = await this.get(id);
    if (!skipCheck) {
      const problem = checkPassword(password, user.localpart);
      if (problem !== null)
        throw new AdminApiError(400, `Password is too weak: ${PASSWORD_PROBLEM_MESSAGES[problem]}`);
    }
    await this.store.users.setPassword(user.id, await hashPassword(password));
  }

  async setAdmin(id: string, admin: boolean): Promise<User> {
    await this.get(id);
    return this.change(id, { admin });
  }

  /** Locks: sign-in refused, every token inactive at introspection, Synapse told. */
  async lock(id: string): Promise<User> {
    const user = await this.get(id);
    const locked = user.lockedAt === null ? await this.change(id, { lockedAt: this.now() }) : user;
    await this.homeserverCall(() => this.synapse.provisionUser({ localpart: user.localpart, locked: true }));
    return locked;
  }

  async unlock(id: string): Promise<User> {
    const user = await this.get(id);
    const unlocked = await this.change(id, { lockedAt: null });
    await this.homeserverCall(() => this.synapse.provisionUser({ localpart: user.localpart, locked: false }));
    return unlocked;
  }

  /**
   * Deactivates: the user's sessions end here and Synapse deactivates the account (devices, tokens, room
   * memberships), erasing its data unless `skipErase`.
   */
  async deactivate(id: string, skipErase: boolean): Promise<User> {
    const user = await this.get(id);
    const deactivated =
      user.deactivatedAt === null ? await this.change(id, { deactivatedAt: this.now() }) : user;
    for (const session of await this.store.sessions.activeForUser(user.id)) {
      await this.store.payloads.revokeByGrantId(session.grantId);
      await this.sessionEnd.grantRevoked(session.grantId);
    }
    await this.homeserverCall(() => this.synapse.deleteUser(user.localpart, !skipErase));
    return deactivated;
  }

  async reactivate(id: string): Promise<User> {
    const user = await this.get(id);
    const reactivated = await this.change(id, { deactivatedAt: null });
    await this.homeserverCall(() => this.synapse.reactivateUser(user.localpart));
    return reactivated;
  }

  private async change(id: string, change: UserLifecycleChange): Promise<User> {
    const user = await this.store.users.update(id, change);
    if (!user) throw notFound('User', id);
    return user;
  }

  private now(): Date {
    return new Date(this.clock());
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
