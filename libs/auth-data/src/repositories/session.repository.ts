import { IsNull, type DataSource, type Repository, type SelectQueryBuilder } from 'typeorm';
import { SessionEntity } from '../entities/session.entity';
import { fetchPage, type Page, type PageRequest } from './page';

export interface Session {
  grantId: string;
  userId: string;
  clientId: string;
  deviceId: string;
  createdAt: Date;
  finishedAt: Date | null;
  /** When and from where it last got tokens; null before the first refresh recorded after it started. */
  lastActiveAt: Date | null;
  lastActiveIp: string | null;
}

/** Filters of the admin API's OAuth 2.0 session list (MAS's `filter[user]`, `filter[client]`, `filter[status]`). */
/** When and from where a session last got tokens (the account page's "last active"). */
export interface SessionActivity {
  lastActiveAt: Date;
  lastActiveIp: string | null;
}

export interface SessionFilter {
  userId?: string;
  clientId?: string;
  status?: 'active' | 'finished';
}

export class SessionRepository {
  constructor(private readonly dataSource: DataSource) {}

  // Resolved per call: the DataSource connects in the background and has no metadata until then.
  private get repo(): Repository<SessionEntity> {
    return this.dataSource.getRepository(SessionEntity);
  }

  /** Records the session behind a grant the first time a token is issued for it. */
  async start(session: Pick<Session, 'grantId' | 'userId' | 'clientId' | 'deviceId'>): Promise<void> {
    await this.repo.createQueryBuilder().insert().values(session).orIgnore().execute();
  }

  /**
   * Marks the grant's session finished and returns it — once: a second call (a replica racing, a
   * retried event) gets null, so the device is deleted by one job only.
   */
  async finish(grantId: string): Promise<Session | null> {
    const result = await this.repo
      .createQueryBuilder()
      .update()
      .set({ finishedAt: () => 'now()' })
      .where({ grantId, finishedAt: IsNull() })
      .returning('*')
      .execute();
    const row = (result.raw as Record<string, unknown>[])[0];
    if (row === undefined) return null;
    return {
      grantId: String(row['grant_id']),
      userId: String(row['user_id']),
      clientId: String(row['client_id']),
      deviceId: String(row['device_id']),
      createdAt: row['created_at'] as Date,
      finishedAt: row['finished_at'] as Date,
      lastActiveAt: (row['last_active_at'] as Date | null) ?? null,
      lastActiveIp: (row['last_active_ip'] as string | null) ?? null,
    };
  }

  /** Marks every open session of the user finished; returns those it finished. */
  async finishAllForUser(userId: string): Promise<Session[]> {
    const result = await this.repo
      .createQueryBuilder()
      .update()
      .set({ finishedAt: () => 'now()' })
      .where({ userId, finishedAt: IsNull() })
      .returning('*')
      .execute();
    return (result.raw as Record<string, unknown>[]).map((row) => ({
      grantId: String(row['grant_id']),
      userId: String(row['user_id']),
      clientId: String(row['client_id']),
      deviceId: String(row['device_id']),
      createdAt: row['created_at'] as Date,
      finishedAt: row['finished_at'] as Date,
      lastActiveAt: (row['last_active_at'] as Date | null) ?? null,
      lastActiveIp: (row['last_active_ip'] as string | null) ?? null,
    }));
  }

  /** Records that the grant's session just got tokens, from `ip`; a finished session stays as it ended. */
  async touch(grantId: string, ip: string | null): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .update()
      .set({ lastActiveAt: () => 'now()', lastActiveIp: ip })
      .where({ grantId, finishedAt: IsNull() })
      .execute();
  }

  /** The recorded activity of the user's live sessions, by grant id (sessions without any are absent). */
  async activityForUser(userId: string): Promise<Map<string, SessionActivity>> {
    const rows = await this.repo.findBy({ userId, finishedAt: IsNull() });
    return new Map(
      rows.flatMap((r) =>
        r.lastActiveAt === null
          ? []
          : [[r.grantId, { lastActiveAt: r.lastActiveAt, lastActiveIp: r.lastActiveIp }]],
      ),
    );
  }

  activeForUser(userId: string): Promise<Session[]> {
    return this.repo.findBy({ userId, finishedAt: IsNull() });
  }

  findByGrantId(grantId: string): Promise<Session | null> {
    return this.repo.findOneBy({ grantId });
  }

  /** A page of sessions ordered by grant id, filtered. */
  list(filter: SessionFilter, page: PageRequest): Promise<Page<Session>> {
    return fetchPage(this.filtered(filter), 's.grant_id', page);
  }

  count(filter: SessionFilter): Promise<number> {
    return this.filtered(filter).getCount();
  }

  private filtered(filter: SessionFilter): SelectQueryBuilder<SessionEntity> {
    const qb = this.repo.createQueryBuilder('s').where('true');
    if (filter.userId !== undefined) qb.andWhere('s.user_id = :userId', { userId: filter.userId });
    if (filter.clientId !== undefined) qb.andWhere('s.client_id = :clientId', { clientId: filter.clientId });
    if (filter.status === 'active') qb.andWhere('s.finished_at IS NULL');
    if (filter.status === 'finished') qb.andWhere('s.finished_at IS NOT NULL');
    return qb;
  }
}
