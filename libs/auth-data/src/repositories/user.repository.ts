import type { DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import { UserEntity } from '../entities/user.entity';
import { fetchPage, type Page, type PageRequest } from './page';

export interface User {
  id: string;
  localpart: string;
  passwordHash: string | null;
  admin: boolean;
  createdAt: Date;
  deactivatedAt: Date | null;
  lockedAt: Date | null;
}

/** Filters of the admin API's user list (MAS's `filter[admin]`, `filter[status]`, `filter[search]`). */
export interface UserFilter {
  admin?: boolean;
  /** active: neither locked nor deactivated; locked: locked (deactivated or not); deactivated. */
  status?: 'active' | 'locked' | 'deactivated';
  /** Substring of the localpart, case-insensitive. */
  search?: string;
}

/** The lifecycle columns an operator changes; null clears one. */
export type UserLifecycleChange = Partial<Pick<User, 'admin' | 'lockedAt' | 'deactivatedAt'>>;

export interface NewUser {
  localpart: string;
  passwordHash: string | null;
  admin?: boolean;
}

export class UserRepository {
  constructor(private readonly dataSource: DataSource) {}

  // Resolved per call: the DataSource connects in the background and has no metadata until then.
  private get repo(): Repository<UserEntity> {
    return this.dataSource.getRepository(UserEntity);
  }

  /** Creates the user, or returns null when the localpart is taken (also by a concurrent insert). */
  async create(user: NewUser): Promise<User | null> {
    const result = await this.repo
      .createQueryBuilder()
      .insert()
      .values({ localpart: user.localpart, passwordHash: user.passwordHash, admin: user.admin ?? false })
      .orIgnore()
      .returning('*')
      .execute();
    const row = (result.raw as Record<string, unknown>[])[0];
    return row === undefined ? null : this.findByLocalpart(user.localpart);
  }

  findByLocalpart(localpart: string): Promise<User | null> {
    return this.repo.findOneBy({ localpart });
  }

  findById(id: string): Promise<User | null> {
    // Ids come from tokens and cookies; a malformed one must be "not found", not a database error.
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
      return Promise.resolve(null);
    return this.repo.findOneBy({ id });
  }

  async setPassword(id: string, passwordHash: string): Promise<void> {
    await this.repo.update({ id }, { passwordHash });
  }

  /** Locks (a date) or unlocks (null) the user. */
  async setLocked(id: string, lockedAt: Date | null): Promise<void> {
    await this.repo.update({ id }, { lockedAt });
  }

  /** Deactivates (a date) or reactivates (null) the user. */
  async setDeactivated(id: string, deactivatedAt: Date | null): Promise<void> {
    await this.repo.update({ id }, { deactivatedAt });
  }

  /** A page of users ordered by id, filtered. */
  list(filter: UserFilter, page: PageRequest): Promise<Page<User>> {
    return fetchPage(this.filtered(filter), 'u.id', page);
  }

  count(filter: UserFilter): Promise<number> {
    return this.filtered(filter).getCount();
  }

  /** Applies the change and returns the user as stored afterwards (null when there is no such user). */
  async update(id: string, change: UserLifecycleChange): Promise<User | null> {
    if (Object.keys(change).length > 0) await this.repo.update({ id }, change);
    return this.findById(id);
  }

  private filtered(filter: UserFilter): SelectQueryBuilder<UserEntity> {
    const qb = this.repo.createQueryBuilder('u').where('true');
    if (filter.admin !== undefined) qb.andWhere('u.admin = :admin', { admin: filter.admin });
    if (filter.status === 'active') qb.andWhere('u.locked_at IS NULL AND u.deactivated_at IS NULL');
    if (filter.status === 'locked') qb.andWhere('u.locked_at IS NOT NULL');
    if (filter.status === 'deactivated') qb.andWhere('u.deactivated_at IS NOT NULL');
    if (filter.search !== undefined) {
      // LIKE's own wildcards in the search text are literal characters.
      const escaped = filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
      qb.andWhere("u.localpart LIKE :search ESCAPE '\\'", { search: `%${escaped}%` });
    }
    return qb;
  }
}
