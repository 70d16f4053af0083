import type { DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import { AuditEventEntity } from '../entities/audit-event.entity';
import { isUlid, ulid } from '../ulid';
import { fetchPage, type Page, type PageRequest } from './page';

export type AuditOutcome = 'attempted' | 'succeeded' | 'failed';
export type AuditActorKind = 'user' | 'client' | 'cli' | 'system' | 'anonymous';

export interface AuditEvent {
  id: string;
  createdAt: Date;
  type: string;
  outcome: AuditOutcome;
  actor: string;
  actorKind: AuditActorKind;
  subject: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, string | number | boolean | null>;
}

export type NewAuditEvent = Omit<AuditEvent, 'id' | 'createdAt'>;

/** Filters of the admin API's list; each given one must match. */
export interface AuditEventFilter {
  actor?: string;
  subject?: string;
  type?: string;
  /** Created at or after. */
  since?: Date;
  /** Created before. */
  until?: Date;
}

export class AuditEventRepository {
  constructor(private readonly dataSource: DataSource) {}

  // Resolved per call: the DataSource connects in the background and has no metadata until then.
  private get repo(): Repository<AuditEventEntity> {
    return this.dataSource.getRepository(AuditEventEntity);
  }

  /** Writes one event at `now`; rejects when the row could not be written (the caller decides). */
  async record(event: NewAuditEvent, now: Date): Promise<AuditEvent> {
    const row: AuditEvent = { ...event, id: ulid(now.getTime()), createdAt: now };
    await this.repo.insert(row);
    return row;
  }

  findById(id: string): Promise<AuditEvent | null> {
    // Ids come from URLs; a malformed one must be "not found", not a query.
    if (!isUlid(id)) return Promise.resolve(null);
    return this.repo.findOneBy({ id }) as Promise<AuditEvent | null>;
  }

  /** A page ordered by id (time order). */
  listPage(filter: AuditEventFilter, page: PageRequest): Promise<Page<AuditEvent>> {
    return fetchPage(this.filtered(filter), 'e.id', page) as Promise<Page<AuditEvent>>;
  }

  count(filter: AuditEventFilter): Promise<number> {
    return this.filtered(filter).getCount();
  }

  /** Deletes the events created before `cutoff`; how many went. */
  async pruneBefore(cutoff: Date): Promise<number> {
    const result = await this.repo
      .createQueryBuilder()
      .delete()
      .where('created_at < :cutoff', { cutoff })
      .execute();
    return result.affected ?? 0;
  }

  private filtered(filter: AuditEventFilter): SelectQueryBuilder<AuditEventEntity> {
    const qb = this.repo.createQueryBuilder('e').where('true');
    if (filter.actor !== undefined) qb.andWhere('e.actor = :actor', { actor: filter.actor });
    if (filter.subject !== undefined) qb.andWhere('e.subject = :subject', { subject: filter.subject });
    if (filter.type !== undefined) qb.andWhere('e.type = :type', { type: filter.type });
    if (filter.since !== undefined) qb.andWhere('e.created_at >= :since', { since: filter.since });
    if (filter.until !== undefined) qb.andWhere('e.created_at < :until', { until: filter.until });
    return qb;
  }
}
