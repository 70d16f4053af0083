import { IsNull, type DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import {
  CompatAccessTokenEntity,
  CompatRefreshTokenEntity,
  CompatSessionEntity,
  CompatSsoLoginEntity,
} from '../entities/compat-session.entity';
import { fetchPage, type Page, type PageRequest } from './page';
import type { SessionActivity } from './session.repository';

export interface CompatSession {
  id: string;
  userId: string;
  deviceId: string;
  createdAt: Date;
  finishedAt: Date | null;
  /** When it last got tokens and from where (read by the admin API; absent where not read). */
  lastActiveAt?: Date | null;
  lastActiveIp?: string | null;
}

/** The admin API's filters of compat sessions (MAS's `filter[user]`, `filter[status]`). */
export interface CompatSessionFilter {
  userId?: string;
  status?: 'active' | 'finished';
}

/** The hashes of a freshly issued token pair; `refreshTokenHash` only with `refresh_token: true`. */
export interface CompatTokenHashes {
  accessTokenHash: string;
  refreshTokenHash: string | null;
  /** Null: the access token never expires. */
  accessExpiresAt: Date | null;
}

/** A live access token with its live session. */
export interface CompatAccessToken {
  session: CompatSession;
  createdAt: Date;
  expiresAt: Date | null;
}

export type CompatRefreshOutcome =
  { ok: true; session: CompatSession } | { ok: false; reason: 'unknown' | 'consumed' };

export interface CompatSsoLogin {
  id: string;
  redirectUrl: string;
  createdAt: Date;
  userId: string | null;
  fulfilledAt: Date | null;
  exchangedAt: Date | null;
}

/**
 * Legacy login sessions and their tokens. Tokens are kept as SHA-256 hashes only; callers hash. Times
 * come from the caller's clock.
 */
export class CompatRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Starts a session for the device with its first tokens. Sessions already open on the same device are
   * finished in the same transaction (a client reusing its `device_id` replaces its old session) and
   * returned, so their tokens stop working while the device stays.
   */
  async start(
    userId: string,
    deviceId: string,
    tokens: CompatTokenHashes,
    now: Date,
  ): Promise<{ session: CompatSession; replaced: CompatSession[] }> {
    return this.dataSource.transaction(async (m) => {
      const replaced = await this.finishWhere(m, { userId, deviceId, finishedAt: IsNull() }, now);
      const session = await m.save(CompatSessionEntity, m.create(CompatSessionEntity, { userId, deviceId }));
      await this.insertTokens(m, session.id, tokens, now);
      return { session: toSession(session), replaced };
    });
  }

  /** The access token with that hash while it and its session are live (expiry is the caller's check). */
  async findAccessToken(tokenHash: string): Promise<CompatAccessToken | null> {
    const token = await this.dataSource.getRepository(CompatAccessTokenEntity).findOneBy({ tokenHash });
    if (!token) return null;
    const session = await this.dataSource
      .getRepository(CompatSessionEntity)
      .findOneBy({ id: token.sessionId, finishedAt: IsNull() });
    if (!session) return null;
    return { session: toSession(session), createdAt: token.createdAt, expiresAt: token.expiresAt };
  }

  /**
   * Uses a refresh token once: it is marked consumed, the access token issued with it is withdrawn, and
   * the new pair is stored, all or nothing. A second use of the same token finds it consumed.
   */
  async refresh(refreshTokenHash: string, next: CompatTokenHashes, now: Date): Promise<CompatRefreshOutcome> {
    return this.dataSource.transaction(async (m) => {
      const consumed = await m
        .createQueryBuilder()
        .update(CompatRefreshTokenEntity)
        .set({ consumedAt: now })
        .where({ tokenHash: refreshTokenHash, consumedAt: IsNull() })
        .returning('*')
        .execute();
      const row = (consumed.raw as { session_id: string; access_token_hash: string }[])[0];
      if (row === undefined) {
        const exists = await m.existsBy(CompatRefreshTokenEntity, { tokenHash: refreshTokenHash });
        return { ok: false, reason: exists ? 'consumed' : 'unknown' };
      }
      const session = await m.findOneBy(CompatSessionEntity, { id: row.session_id, finishedAt: IsNull() });
      if (!session) return { ok: false, reason: 'unknown' };
      await m.delete(CompatAccessTokenEntity, { tokenHash: row.access_token_hash });
      await this.insertTokens(m, session.id, next, now);
      return { ok: true, session: toSession(session) };
    });
  }

  /** Finishes one session and drops its tokens; the session once, or null if it was already finished. */
  async finish(sessionId: string, now: Date): Promise<CompatSession | null> {
    return this.dataSource.transaction(
      async (m) => (await this.finishWhere(m, { id: sessionId, finishedAt: IsNull() }, now))[0] ?? null,
    );
  }

  /** Finishes every open compat session of the user; returns those it finished. */
  async finishAllForUser(userId: string, now: Date): Promise<CompatSession[]> {
    return this.dataSource.transaction((m) => this.finishWhere(m, { userId, finishedAt: IsNull() }, now));
  }

  /** Records that the session just logged in or refreshed, from `ip`. */
  async touch(sessionId: string, ip: string | null, now: Date): Promise<void> {
    await this.dataSource
      .getRepository(CompatSessionEntity)
      .update({ id: sessionId, finishedAt: IsNull() }, { lastActiveAt: now, lastActiveIp: ip });
  }

  /** The recorded activity of the user's live compat sessions, by session id. */
  async activityForUser(userId: string): Promise<Map<string, SessionActivity>> {
    const rows = await this.dataSource
      .getRepository(CompatSessionEntity)
      .findBy({ userId, finishedAt: IsNull() });
    return new Map(
      rows.flatMap((r) =>
        r.lastActiveAt === null
          ? []
          : [[r.id, { lastActiveAt: r.lastActiveAt, lastActiveIp: r.lastActiveIp }]],
      ),
    );
  }

  activeForUser(userId: string): Promise<CompatSession[]> {
    return this.dataSource.getRepository(CompatSessionEntity).findBy({ userId, finishedAt: IsNull() });
  }

  /** One session, live or finished, with its activity (the admin API); null for an unknown id. */
  async findById(id: string): Promise<CompatSession | null> {
    if (!UUID.test(id)) return null;
    const row = await this.dataSource.getRepository(CompatSessionEntity).findOneBy({ id });
    return row === null ? null : toDetailedSession(row);
  }

  /** A page of sessions ordered by id, filtered (the admin API's list). */
  async list(filter: CompatSessionFilter, page: PageRequest): Promise<Page<CompatSession>> {
    const result = await fetchPage(this.filtered(filter), 'c.id', page);
    return { ...result, items: result.items.map(toDetailedSession) };
  }

  count(filter: CompatSessionFilter): Promise<number> {
    return this.filtered(filter).getCount();
  }

  private filtered(filter: CompatSessionFilter): SelectQueryBuilder<CompatSessionEntity> {
    const qb = this.dataSource.getRepository(CompatSessionEntity).createQueryBuilder('c').where('true');
    if (filter.userId !== undefined) qb.andWhere('c.user_id = :userId', { userId: filter.userId });
    if (filter.status === 'active') qb.andWhere('c.finished_at IS NULL');
    if (filter.status === 'finished') qb.andWhere('c.finished_at IS NOT NULL');
    return qb;
  }

  /** Records the start of an SSO redirect; its id names the completion page. */
  async startSsoLogin(redirectUrl: string, now: Date): Promise<CompatSsoLogin> {
    const repo = this.dataSource.getRepository(CompatSsoLoginEntity);
    return toSsoLogin(await repo.save(repo.create({ redirectUrl, createdAt: now })));
  }

  findSsoLogin(id: string): Promise<CompatSsoLogin | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.dataSource.getRepository(CompatSsoLoginEntity).findOneBy({ id });
  }

  /** Binds a still-pending SSO login to the user with its login token; false if it was already used. */
  async fulfilSsoLogin(id: string, userId: string, loginTokenHash: string, now: Date): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const result = await this.dataSource
      .getRepository(CompatSsoLoginEntity)
      .update({ id, fulfilledAt: IsNull() }, { userId, loginTokenHash, fulfilledAt: now });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Exchanges a login token once: the SSO login it belongs to, marked exchanged, when it was fulfilled
   * after `notBefore`; null otherwise (unknown, already exchanged or too old).
   */
  async exchangeSsoLogin(loginTokenHash: string, notBefore: Date, now: Date): Promise<CompatSsoLogin | null> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(CompatSsoLoginEntity)
      .set({ exchangedAt: now })
      .where('login_token_hash = :loginTokenHash AND exchanged_at IS NULL AND fulfilled_at > :notBefore', {
        loginTokenHash,
        notBefore,
      })
      .returning('*')
      .execute();
    const row = (result.raw as Record<string, unknown>[])[0];
    if (row === undefined) return null;
    return {
      id: String(row['id']),
      redirectUrl: String(row['redirect_url']),
      createdAt: row['created_at'] as Date,
      userId: row['user_id'] as string | null,
      fulfilledAt: row['fulfilled_at'] as Date | null,
      exchangedAt: row['exchanged_at'] as Date | null,
    };
  }

  private async finishWhere(
    m: EntityManager,
    where: Partial<Record<keyof CompatSessionEntity, unknown>>,
    now: Date,
  ): Promise<CompatSession[]> {
    const result = await m
      .createQueryBuilder()
      .update(CompatSessionEntity)
      .set({ finishedAt: now })
      .where(where)
      .returning('*')
      .execute();
    const sessions = (result.raw as Record<string, unknown>[]).map((row) => ({
      id: String(row['id']),
      userId: String(row['user_id']),
      deviceId: String(row['device_id']),
      createdAt: row['created_at'] as Date,
      finishedAt: row['finished_at'] as Date,
    }));
    for (const session of sessions) {
      await m.delete(CompatAccessTokenEntity, { sessionId: session.id });
      await m.delete(CompatRefreshTokenEntity, { sessionId: session.id });
    }
    return sessions;
  }

  private async insertTokens(m: EntityManager, sessionId: string, t: CompatTokenHashes, now: Date) {
    await m.insert(CompatAccessTokenEntity, {
      tokenHash: t.accessTokenHash,
      sessionId,
      createdAt: now,
      expiresAt: t.accessExpiresAt,
    });
    if (t.refreshTokenHash !== null) {
      await m.insert(CompatRefreshTokenEntity, {
        tokenHash: t.refreshTokenHash,
        sessionId,
        accessTokenHash: t.accessTokenHash,
        createdAt: now,
        consumedAt: null,
      });
    }
  }
}

// Ids come from URLs; a malformed one must be "not found", not a database error.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toSession(e: CompatSessionEntity): CompatSession {
  return {
    id: e.id,
    userId: e.userId,
    deviceId: e.deviceId,
    createdAt: e.createdAt,
    finishedAt: e.finishedAt,
  };
}

function toDetailedSession(e: CompatSessionEntity): CompatSession {
  return { ...toSession(e), lastActiveAt: e.lastActiveAt, lastActiveIp: e.lastActiveIp };
}

function toSsoLogin(e: CompatSsoLoginEntity): CompatSsoLogin {
  return {
    id: e.id,
    redirectUrl: e.redirectUrl,
    createdAt: e.createdAt,
    userId: e.userId,
    fulfilledAt: e.fulfilledAt,
    exchangedAt: e.exchangedAt,
  };
}
