import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { PersonalAccessTokenEntity, PersonalSessionEntity } from '../entities/personal-session.entity';
import { fetchPage, type Page, type PageRequest } from './page';
import { ulid } from '../ulid';

export interface PersonalSession {
  id: string;
  ownerUserId: string | null;
  ownerClientId: string | null;
  actorUserId: string;
  humanName: string;
  scope: string;
  deviceId: string | null;
  createdAt: Date;
  revokedAt: Date | null;
  /** The live token's expiry; null when it never expires or the session is revoked. */
  expiresAt: Date | null;
  /** When its token was last used (introspected by the homeserver). */
  lastActiveAt: Date | null;
}

export interface NewPersonalSession {
  ownerUserId: string | null;
  ownerClientId: string | null;
  actorUserId: string;
  humanName: string;
  scope: string;
  deviceId: string | null;
}

/** A token to store: its SHA-256 and expiry. */
export interface PersonalTokenHash {
  tokenHash: string;
  expiresAt: Date | null;
}

/** A live token with its live session (expiry is the caller's check, against its clock). */
export interface PersonalAccessToken {
  session: PersonalSession;
  createdAt: Date;
  expiresAt: Date | null;
}

/** The admin API's filters (MAS's `filter[owner_user]`, `filter[owner_client]`, `filter[actor_user]`, `filter[status]`). */
export interface PersonalSessionFilter {
  ownerUserId?: string;
  ownerClientId?: string;
  actorUserId?: string;
  status?: 'active' | 'revoked';
}

/**
 * Personal sessions and their one live token each. Revoking or regenerating deletes the old token row:
 * the row is the token, so introspection stops answering for it at once. Times come from the caller.
 */
export class PersonalSessionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(session: NewPersonalSession, token: PersonalTokenHash, now: Date): Promise<PersonalSession> {
    return this.dataSource.transaction(async (m) => {
      const row = m.create(PersonalSessionEntity, {
        ...session,
        id: ulid(now.getTime()),
        createdAt: now,
        revokedAt: null,
      });
      await m.insert(PersonalSessionEntity, row);
      await m.insert(PersonalAccessTokenEntity, { ...token, sessionId: row.id, createdAt: now });
      return toSession(row, token.expiresAt);
    });
  }

  /** The token with that hash while its session is live. */
  async findToken(tokenHash: string): Promise<PersonalAccessToken | null> {
    const token = await this.dataSource.getRepository(PersonalAccessTokenEntity).findOneBy({ tokenHash });
    if (!token) return null;
    const session = await this.dataSource
      .getRepository(PersonalSessionEntity)
      .findOneBy({ id: token.sessionId });
    if (!session || session.revokedAt !== null) return null;
    return {
      session: toSession(session, token.expiresAt),
      createdAt: token.createdAt,
      expiresAt: token.expiresAt,
    };
  }

  async findById(id: string): Promise<PersonalSession | null> {
    const session = await this.dataSource.getRepository(PersonalSessionEntity).findOneBy({ id });
    if (!session) return null;
    return toSession(session, await this.expiryOf(this.dataSource.manager, id));
  }

  /** The live sessions acting as the user, newest first (the account page, the device sync). */
  async activeForUser(actorUserId: string): Promise<PersonalSession[]> {
    const page = await this.list({ actorUserId, status: 'active' }, { last: 1000 });
    return page.items.reverse();
  }

  /** A page of sessions ordered by id (creation), filtered. */
  async list(filter: PersonalSessionFilter, page: PageRequest): Promise<Page<PersonalSession>> {
    const result = await fetchPage(this.filtered(filter), 'p.id', page);
    const expiries = await this.expiriesOf(result.items.map((s) => s.id));
    return { ...result, items: result.items.map((s) => toSession(s, expiries.get(s.id) ?? null)) };
  }

  count(filter: PersonalSessionFilter): Promise<number> {
    return this.filtered(filter).getCount();
  }

  /** Revokes a live session and drops its token; the session once, null if it was revoked already or unknown. */
  async revoke(id: string, now: Date): Promise<PersonalSession | null> {
    return this.dataSource.transaction(
      async (m) => (await this.revokeWhere(m, 'id = :id', { id }, now))[0] ?? null,
    );
  }

  /** Revokes every live session acting as the user (lock, deactivation, "end every session"). */
  async revokeAllForUser(actorUserId: string, now: Date): Promise<PersonalSession[]> {
    return this.dataSource.transaction((m) =>
      this.revokeWhere(m, 'actor_user_id = :actorUserId', { actorUserId }, now),
    );
  }

  /** Replaces a live session's token with a new one; null when the session is unknown or revoked. */
  async regenerate(id: string, token: PersonalTokenHash, now: Date): Promise<PersonalSession | null> {
    return this.dataSource.transaction(async (m) => {
      const session = await m.findOne(PersonalSessionEntity, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!session || session.revokedAt !== null) return null;
      await m.delete(PersonalAccessTokenEntity, { sessionId: id });
      await m.insert(PersonalAccessTokenEntity, { ...token, sessionId: id, createdAt: now });
      return toSession(session, token.expiresAt);
    });
  }

  /**
   * Records that the live session's token was just used. At most one write a minute per session: the
   * homeserver introspects a token again every time its own cache of the answer expires.
   */
  async touch(id: string, now: Date): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .update(PersonalSessionEntity)
      .set({ lastActiveAt: now })
      .where('id = :id AND revoked_at IS NULL', { id })
      .andWhere('(last_active_at IS NULL OR last_active_at <= :before)', {
        before: new Date(now.getTime() - 60_000),
      })
      .execute();
  }

  private async revokeWhere(
    m: EntityManager,
    where: string,
    params: Record<string, unknown>,
    now: Date,
  ): Promise<PersonalSession[]> {
    const result = await m
      .createQueryBuilder()
      .update(PersonalSessionEntity)
      .set({ revokedAt: now })
      .where(`${where} AND revoked_at IS NULL`, params)
      .returning('*')
      .execute();
    const sessions = (result.raw as Record<string, unknown>[]).map(fromRaw);
    for (const s of sessions) await m.delete(PersonalAccessTokenEntity, { sessionId: s.id });
    return sessions;
  }

  private async expiryOf(m: EntityManager, sessionId: string): Promise<Date | null> {
    return (await m.findOneBy(PersonalAccessTokenEntity, { sessionId }))?.expiresAt ?? null;
  }

  private async expiriesOf(ids: string[]): Promise<Map<string, Date | null>> {
    if (ids.length === 0) return new Map();
    const rows = await this.dataSource
      .getRepository(PersonalAccessTokenEntity)
      .createQueryBuilder('t')
      .where('t.session_id IN (:...ids)', { ids })
      .getMany();
    return new Map(rows.map((t) => [t.sessionId, t.expiresAt]));
  }

  private filtered(filter: PersonalSessionFilter): SelectQueryBuilder<PersonalSessionEntity> {
    const qb = this.dataSource.getRepository(PersonalSessionEntity).createQueryBuilder('p').where('true');
    if (filter.ownerUserId !== undefined)
      qb.andWhere('p.owner_user_id = :ownerUserId', { ownerUserId: filter.ownerUserId });
    if (filter.ownerClientId !== undefined)
      qb.andWhere('p.owner_client_id = :ownerClientId', { ownerClientId: filter.ownerClientId });
    if (filter.actorUserId !== undefined)
      qb.andWhere('p.actor_user_id = :actorUserId', { actorUserId: filter.actorUserId });
    if (filter.status === 'active') qb.andWhere('p.revoked_at IS NULL');
    if (filter.status === 'revoked') qb.andWhere('p.revoked_at IS NOT NULL');
    return qb;
  }
}

function toSession(e: PersonalSessionEntity, expiresAt: Date | null): PersonalSession {
  return {
    id: e.id,
    ownerUserId: e.ownerUserId,
    ownerClientId: e.ownerClientId,
    actorUserId: e.actorUserId,
    humanName: e.humanName,
    scope: e.scope,
    deviceId: e.deviceId,
    createdAt: e.createdAt,
    revokedAt: e.revokedAt,
    expiresAt: e.revokedAt === null ? expiresAt : null,
    lastActiveAt: e.lastActiveAt ?? null,
  };
}

function fromRaw(row: Record<string, unknown>): PersonalSession {
  return {
    id: String(row['id']),
    ownerUserId: (row['owner_user_id'] as string | null) ?? null,
    ownerClientId: (row['owner_client_id'] as string | null) ?? null,
    actorUserId: String(row['actor_user_id']),
    humanName: String(row['human_name']),
    scope: String(row['scope']),
    deviceId: (row['device_id'] as string | null) ?? null,
    createdAt: row['created_at'] as Date,
    revokedAt: row['revoked_at'] as Date,
    expiresAt: null,
    lastActiveAt: (row['last_active_at'] as Date | null) ?? null,
  };
}
