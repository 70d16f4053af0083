import type { DataSource, Repository } from 'typeorm';
import { ConsentEntity } from '../entities/consent.entity';

/**
 * Remembered consents. Scopes are compared as a set; the caller normalises per-device scopes (each
 * login asks for a new device id) so that consenting once covers later logins of the same client.
 */
export class ConsentRepository {
  constructor(private readonly dataSource: DataSource) {}

  // Resolved per call: the DataSource connects in the background and has no metadata until then.
  private get repo(): Repository<ConsentEntity> {
    return this.dataSource.getRepository(ConsentEntity);
  }

  async has(userId: string, clientId: string, scopes: readonly string[]): Promise<boolean> {
    return (await this.repo.countBy({ userId, clientId, scopes: key(scopes) })) > 0;
  }

  async remember(userId: string, clientId: string, scopes: readonly string[]): Promise<void> {
    await this.repo.upsert({ userId, clientId, scopes: key(scopes) }, ['userId', 'clientId', 'scopes']);
  }
}

function key(scopes: readonly string[]): string {
  return [...new Set(scopes)].sort().join(' ');
}
