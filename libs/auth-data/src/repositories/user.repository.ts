import type { DataSource, Repository } from 'typeorm';
import { UserEntity } from '../entities/user.entity';

export interface User {
  id: string;
  localpart: string;
  passwordHash: string | null;
  admin: boolean;
  createdAt: Date;
  deactivatedAt: Date | null;
  lockedAt: Date | null;
}

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
}
