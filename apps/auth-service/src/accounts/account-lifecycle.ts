import type { AuthStore, User } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import { SynapseCallError } from '../synapse/synapse-call-error';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import { randomAlphanumeric } from '../token-format/random-string';
import { generateToken, hashToken } from '../token-format/token-format';

/** What ending all of a user's sessions finished. */
export interface EndedSessions {
  oauth: number;
  compat: number;
  /** oidc-provider rows of the account: browser sessions, grants, codes and tokens. */
  browserRows: number;
  /** Personal access tokens revoked. */
  personal: number;
}

export interface IssuedCompatToken {
  accessToken: string;
  deviceId: string;
  expiresAt: Date | null;
}

export interface ProvisionAllReport {
  provisioned: number;
  /** Deactivated users: Synapse deactivated them already and provisioning would not bring them back. */
  skipped: number;
  failed: { localpart: string; reason: string }[];
}

// MAS generates 10 alphanumerics when no device id is given.
const DEVICE_ID_LENGTH = 10;
const PROVISION_PAGE = 200;

/**
 * The account lifecycle an operator drives, through the CLI or the admin API (one implementation for
 * both): each change is stored here, then made in Synapse through `/_synapse/mas/*` so the homeserver
 * agrees before the caller is answered. Synapse failures surface as `SynapseCallError` after the local
 * change, which stays (the operator retries; every call here is idempotent).
 */
export class AccountLifecycle {
  constructor(
    private readonly store: AuthStore,
    private readonly synapse: SynapseMasClient,
    private readonly clock: Clock,
  ) {}

  /** Locked: sign-in refused, every token inactive at introspection, Synapse refuses the user's requests. */
  async lock(user: User): Promise<User> {
    const locked = user.lockedAt === null ? await this.change(user, { lockedAt: this.now() }) : user;
    await this.synapse.provisionUser({ localpart: user.localpart, locked: true });
    return locked;
  }

  async unlock(user: User): Promise<User> {
    const unlocked = await this.change(user, { lockedAt: null });
    await this.synapse.provisionUser({ localpart: user.localpart, locked: false });
    return unlocked;
  }

  /**
   * Deactivates: every session ends here and Synapse deactivates the account (devices, tokens, room
   * memberships), erasing its data (GDPR erasure: messages hidden from new joiners, profile removed)
   * when `erase`.
   */
  async deactivate(user: User, erase: boolean): Promise<User> {
    const deactivated =
      user.deactivatedAt === null ? await this.change(user, { deactivatedAt: this.now() }) : user;
    await this.endSessionsHere(user, { personal: true });
    await this.synapse.deleteUser(user.localpart, erase);
    return deactivated;
  }

  /** Undoes deactivation; the devices and sessions it ended stay ended. */
  async reactivate(user: User): Promise<User> {
    const reactivated = await this.change(user, { deactivatedAt: null });
    await this.synapse.reactivateUser(user.localpart);
    return reactivated;
  }

  /**
   * Admins may be granted the Synapse admin scope (`urn:synapse:admin:*`) and ours; Synapse learns it
   * per token at introspection, as with MAS, so nothing is pushed to it here.
   */
  setAdmin(user: User, admin: boolean): Promise<User> {
    return this.change(user, { admin });
  }

  /** Synapse keeps the profile; an empty name removes it. */
  async setDisplayName(user: User, displayName: string): Promise<void> {
    if (displayName === '') await this.synapse.unsetDisplayName(user.localpart);
    else await this.synapse.setDisplayName(user.localpart, displayName);
  }

  /**
   * Ends every interactive session of the user — OAuth, compat and browser — and deletes their devices
   * in Synapse in one call (`sync_devices` to the devices left), so Synapse refuses their tokens at once,
   * whatever it has cached. Personal access tokens stay, with their devices: they are the operator's and
   * automation's, and `mas-cli manage kill-sessions` leaves them too (deactivation ends them).
   */
  async endAllSessions(user: User): Promise<EndedSessions> {
    const ended = await this.endSessionsHere(user, { personal: false });
    const kept = await this.personalDevices(user);
    try {
      await this.synapse.syncDevices(user.localpart, kept);
    } catch (err) {
      // A user Synapse never saw has no devices to delete.
      if (!(err instanceof SynapseCallError && err.status === 404)) throw err;
      return ended;
    }
    // A personal token made while the list above was read made its device first: put it back.
    for (const deviceId of await this.personalDevices(user))
      if (!kept.has(deviceId)) await this.synapse.upsertDevice(user.localpart, deviceId);
    return ended;
  }

  /** The devices of the user's live personal tokens (those with the Matrix API have one). */
  private async personalDevices(user: User): Promise<Set<string>> {
    const live = await this.store.personal.activeForUser(user.id);
    return new Set(live.flatMap((s) => (s.deviceId === null ? [] : [s.deviceId])));
  }

  /**
   * A compat access token (`mct_`) for the device, as `mas-cli manage issue-compatibility-token`: the
   * user and device exist in Synapse before the token is returned. It is shown once; only its hash is
   * kept. Reusing a device id replaces that device's previous compat session.
   */
  async issueCompatToken(
    user: User,
    options: { deviceId?: string; expiresInSeconds?: number } = {},
  ): Promise<IssuedCompatToken> {
    const deviceId = options.deviceId ?? randomAlphanumeric(DEVICE_ID_LENGTH);
    await this.synapse.provisionUser({ localpart: user.localpart, locked: user.lockedAt !== null });
    await this.synapse.upsertDevice(user.localpart, deviceId);
    const accessToken = generateToken('compat_access_token');
    const now = this.clock();
    const expiresAt =
      options.expiresInSeconds === undefined ? null : new Date(now + options.expiresInSeconds * 1000);
    await this.store.compat.start(
      user.id,
      deviceId,
      { accessTokenHash: hashToken(accessToken), refreshTokenHash: null, accessExpiresAt: expiresAt },
      new Date(now),
    );
    return { accessToken, deviceId, expiresAt };
  }

  /**
   * Provisions every user that is not deactivated into Synapse again (its lock flag included), e.g.
   * after restoring Synapse from a backup. One failure does not stop the rest.
   */
  async provisionAll(
    onUser: (user: User, error: string | null) => void = () => undefined,
  ): Promise<ProvisionAllReport> {
    const report: ProvisionAllReport = { provisioned: 0, skipped: 0, failed: [] };
    let after: string | undefined;
    for (;;) {
      const page = await this.store.users.list(
        {},
        after === undefined ? { first: PROVISION_PAGE } : { first: PROVISION_PAGE, after },
      );
      for (const user of page.items) {
        if (user.deactivatedAt !== null) {
          report.skipped++;
          continue;
        }
        try {
          await this.synapse.provisionUser({ localpart: user.localpart, locked: user.lockedAt !== null });
          report.provisioned++;
          onUser(user, null);
        } catch (err) {
          const reason = err instanceof Error ? err.message : String(err);
          report.failed.push({ localpart: user.localpart, reason });
          onUser(user, reason);
        }
      }
      const last = page.items.at(-1);
      if (!page.hasNext || last === undefined) return report;
      after = last.id;
    }
  }

  /**
   * Ends the user's sessions in our database only (their tokens are inactive at introspection); their
   * personal tokens too when `personal` (deactivation, as MAS's deactivation job does).
   */
  private async endSessionsHere(user: User, { personal }: { personal: boolean }): Promise<EndedSessions> {
    const oauth = await this.store.sessions.finishAllForUser(user.id);
    const compat = await this.store.compat.finishAllForUser(user.id, this.now());
    const browserRows = await this.store.payloads.destroyByAccountId(user.id);
    const revoked = personal ? await this.store.personal.revokeAllForUser(user.id, this.now()) : [];
    return { oauth: oauth.length, compat: compat.length, personal: revoked.length, browserRows };
  }

  private async change(user: User, change: Parameters<AuthStore['users']['update']>[1]): Promise<User> {
    const changed = await this.store.users.update(user.id, change);
    // Deleted meanwhile (users are never deleted today): the caller's copy is the best answer left.
    return changed ?? user;
  }

  private now(): Date {
    return new Date(this.clock());
  }
}
