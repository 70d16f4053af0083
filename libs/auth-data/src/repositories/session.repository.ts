import { IsNull, type DataSource, type Repository } from 'typeorm';
import { SessionEntity } from '../entities/session.entity';

export interface Session {
  grantId: string;
  userId: string;
  clientId: string;
  deviceId: string;
  createdAt: Date;
  finishedAt: Date | null;
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
    };
  }

  activeForUser(userId: string): Promise<Session[]> {
    return this.repo.findBy({ userId, finishedAt: IsNull() });
  }
}
