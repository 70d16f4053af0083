import type { Queue } from 'bullmq';
import type { AuthStore, PersonalSession, User } from '@gateway/auth-data';
import type { JobPayload } from '@gateway/queues';
import type { Clock } from '@gateway/util';
import { generateToken, hashToken } from '../token-format/token-format';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import { checkLifetime, personalTokenScope, tokenName } from './personal-token-rules';

/** Who makes a personal token: the user themself, an admin user, or an admin client. */
export type TokenOwner = { userId: string } | { clientId: string };

export interface NewPersonalToken {
  name: string | undefined;
  scope: string;
  /** Seconds; null for no expiry (refused unless `mayBeEndless`). */
  expiresIn: number | null;
  /** Only the admin API may issue tokens that never expire (MAS's `expires_in` is optional there). */
  mayBeEndless: boolean;
}

/** A token issued: shown once to whoever asked, never stored. */
export interface IssuedPersonalToken {
  session: PersonalSession;
  token: string;
}

export type PersonalTokenProblem = { problem: 'invalid'; reason: string } | { problem: 'not_found' };

/**
 * Personal access tokens (`mpt_`, MAS's personal sessions): made, regenerated and revoked by the user on
 * the account page or by an admin through the admin API. The token acts as its user with a fixed scope;
 * one with the Matrix API has a device, made in Synapse before the token is handed out and deleted when
 * the token is revoked (as a session end does), so Synapse refuses it at once.
 */
export class PersonalTokens {
  constructor(
    private readonly store: AuthStore,
    private readonly synapse: SynapseMasClient,
    private readonly deleteQueue: Queue<JobPayload<'auth.delete-device'>>,
    private readonly clock: Clock,
    private readonly onDeviceError: (err: unknown) => void = () => undefined,
  ) {}

  async create(
    actor: User,
    owner: TokenOwner,
    request: NewPersonalToken,
  ): Promise<IssuedPersonalToken | PersonalTokenProblem> {
    const humanName = tokenName(request.name);
    if (humanName === null) return { problem: 'invalid', reason: 'the name must be 1 to 100 characters' };
    const lifetime = checkLifetime(request.expiresIn, request.mayBeEndless);
    if (!lifetime.ok) return { problem: 'invalid', reason: lifetime.reason };
    const scope = personalTokenScope(request.scope, { admin: actor.admin });
    if (!scope.ok) return { problem: 'invalid', reason: scope.reason };
    if (scope.deviceId !== null) {
      // Synapse refuses tokens of users and devices it does not know: both exist before the token leaves.
      await this.synapse.provisionUser({ localpart: actor.localpart, locked: actor.lockedAt !== null });
      await this.synapse.upsertDevice(actor.localpart, scope.deviceId, humanName);
    }
    const token = generateToken('personal_access_token');
    const session = await this.store.personal.create(
      {
        ownerUserId: 'userId' in owner ? owner.userId : null,
        ownerClientId: 'clientId' in owner ? owner.clientId : null,
        actorUserId: actor.id,
        humanName,
        scope: scope.scope,
        deviceId: scope.deviceId,
      },
      { tokenHash: hashToken(token), expiresAt: this.expiry(lifetime.seconds) },
      this.now(),
    );
    return { session, token };
  }

  /**
   * A new token for a live session, the old one refused from now on by this service. Synapse may still
   * answer the old one from its introspection cache (up to 2 minutes): the device stays, as the session
   * does. The new token gets its own lifetime, held to the same rules as at creation.
   */
  async regenerate(
    id: string,
    expiresIn: number | null,
    mayBeEndless: boolean,
  ): Promise<IssuedPersonalToken | PersonalTokenProblem> {
    const lifetime = checkLifetime(expiresIn, mayBeEndless);
    if (!lifetime.ok) return { problem: 'invalid', reason: lifetime.reason };
    const token = generateToken('personal_access_token');
    const session = await this.store.personal.regenerate(
      id,
      { tokenHash: hashToken(token), expiresAt: this.expiry(lifetime.seconds) },
      this.now(),
    );
    return session === null ? { problem: 'not_found' } : { session, token };
  }

  /** Revokes a live session; its device goes. Null when unknown or revoked already. */
  async revoke(id: string): Promise<PersonalSession | null> {
    const revoked = await this.store.personal.revoke(id, this.now());
    if (revoked !== null) await this.deleteDevice(revoked);
    return revoked;
  }

  /** The user's own live session `id` revoked (the account page); false if not theirs or over. */
  async revokeOwn(user: User, id: string): Promise<boolean> {
    const session = await this.store.personal.findById(id);
    if (session === null || session.actorUserId !== user.id || session.revokedAt !== null) return false;
    return (await this.revoke(id)) !== null;
  }

  /**
   * Deleted right away, so Synapse refuses the token on its next request whatever it cached; when
   * Synapse cannot be reached the retried job of sessions/ does it later.
   */
  private async deleteDevice(session: PersonalSession): Promise<void> {
    if (session.deviceId === null) return;
    const user = await this.store.users.findById(session.actorUserId);
    if (!user) return;
    // Another live session reusing the device ID still needs the device.
    const others = [
      ...(await this.store.sessions.activeForUser(user.id)),
      ...(await this.store.compat.activeForUser(user.id)),
      ...(await this.store.personal.activeForUser(user.id)),
    ];
    if (others.some((s) => s.deviceId === session.deviceId)) return;
    try {
      await this.synapse.deleteDevice(user.localpart, session.deviceId);
    } catch (err) {
      this.onDeviceError(err);
      await this.deleteQueue.add(
        'delete-device',
        { userId: user.id, deviceId: session.deviceId },
        {
          jobId: `${user.id}.${session.deviceId}`,
          attempts: 10,
          backoff: { type: 'exponential', delay: 1_000 },
        },
      );
    }
  }

  private expiry(seconds: number | null): Date | null {
    return seconds === null ? null : new Date(this.clock() + seconds * 1000);
  }

  private now(): Date {
    return new Date(this.clock());
  }
}
