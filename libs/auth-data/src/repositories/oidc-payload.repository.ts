import { LessThan, type DataSource, type Repository } from 'typeorm';
import { systemClock, type Clock } from '@gateway/util';
import { OidcPayloadEntity } from '../entities/oidc-payload.entity';
import { fetchPage, type Page, type PageRequest } from './page';
import { queryPrepared } from './prepared-statement';

/** oidc-provider's payload shape, as far as storage cares. */
export interface StoredPayload {
  grantId?: string;
  userCode?: string;
  uid?: string;
  consumed?: number;
  [key: string]: unknown;
}

/**
 * Storage behind oidc-provider's adapter interface. Callers pass the key to store under (for tokens,
 * already hashed); this layer only persists, expires and indexes. Expiry is decided by the injected
 * clock, so tests move time instead of waiting for it.
 */
export class OidcPayloadRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock = systemClock,
  ) {}

  // Resolved per call: the DataSource connects in the background and has no metadata until then.
  private get repo(): Repository<OidcPayloadEntity> {
    return this.dataSource.getRepository(OidcPayloadEntity);
  }

  async upsert(
    model: string,
    id: string,
    payload: StoredPayload,
    expiresInSeconds: number | undefined,
  ): Promise<void> {
    await this.repo.upsert(
      {
        model,
        id,
        // TypeORM's deep-partial type cannot describe arbitrary JSON; the column is jsonb.
        payload: payload as never,
        grantId: payload.grantId ?? null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expiresAt: expiresInSeconds === undefined ? null : new Date(this.clock() + expiresInSeconds * 1000),
      },
      ['model', 'id'],
    );
  }

  /**
   * An account's live browser sessions (oidc-provider's `Session` model), by their row keys, newest
   * sign-in first: what the account page lists and ends.
   */
  async browserSessionsOf(accountId: string): Promise<{ key: string; payload: StoredPayload }[]> {
    const rows: { id: string; payload: StoredPayload }[] = await this.dataSource.query(
      `SELECT id, payload FROM oidc_payloads
        WHERE model = 'Session' AND payload->>'accountId' = $1 AND (expires_at IS NULL OR expires_at > $2)
        ORDER BY (payload->>'loginTs')::bigint DESC NULLS LAST`,
      [accountId, new Date(this.clock())],
    );
    return rows.map((r) => ({ key: r.id, payload: r.payload }));
  }

  /**
   * A page of live browser sessions ordered by row key (the admin API's `user-sessions`), optionally one
   * account's. oidc-provider deletes a session's row when it ends, so only live ones exist.
   */
  async listBrowserSessions(
    accountId: string | undefined,
    page: PageRequest,
  ): Promise<Page<{ key: string; payload: StoredPayload }>> {
    const result = await fetchPage(this.browserSessionsQuery(accountId), 'p.id', page);
    return { ...result, items: result.items.map((row) => ({ key: row.id, payload: row.payload })) };
  }

  countBrowserSessions(accountId: string | undefined): Promise<number> {
    return this.browserSessionsQuery(accountId).getCount();
  }

  private browserSessionsQuery(accountId: string | undefined) {
    const qb = this.liveOf('Session');
    if (accountId !== undefined) qb.andWhere("p.payload->>'accountId' = :accountId", { accountId });
    return qb;
  }

  /** The hot path (every introspection): one prepared statement, no entity hydration. */
  async find(model: string, id: string): Promise<StoredPayload | undefined> {
    const rows = await queryPrepared<{ payload: StoredPayload }>(
      this.dataSource,
      'oidc_payloads_find_live',
      'SELECT payload FROM oidc_payloads WHERE model = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > $3)',
      [model, id, new Date(this.clock())],
    );
    return rows[0]?.payload;
  }

  async findByUserCode(model: string, userCode: string): Promise<StoredPayload | undefined> {
    return (await this.findKeyByUserCode(model, userCode))?.payload;
  }

  /** The row's key with its payload: for rows whose key the caller cannot derive from the user code. */
  async findKeyByUserCode(
    model: string,
    userCode: string,
  ): Promise<{ key: string; payload: StoredPayload } | undefined> {
    const row = await this.repo.findOneBy({ model, userCode });
    const payload = this.live(row);
    return row && payload ? { key: row.id, payload } : undefined;
  }

  async findByUid(model: string, uid: string): Promise<StoredPayload | undefined> {
    return this.live(await this.repo.findOneBy({ model, uid }));
  }

  /** Live rows of `model` with one of the `uid`s, by their row keys (browser sessions by their `uid`). */
  async findKeysByUid(
    model: string,
    uids: readonly string[],
  ): Promise<{ key: string; payload: StoredPayload }[]> {
    if (uids.length === 0) return [];
    const rows: { id: string; payload: StoredPayload }[] = await this.dataSource.query(
      `SELECT id, payload FROM oidc_payloads
        WHERE model = $1 AND uid = ANY($2) AND (expires_at IS NULL OR expires_at > $3)`,
      [model, uids, new Date(this.clock())],
    );
    return rows.map((r) => ({ key: r.id, payload: r.payload }));
  }

  async consume(model: string, id: string): Promise<void> {
    // jsonb_set keeps the payload the single source of truth oidc-provider reads `consumed` from.
    await this.repo.query(
      `UPDATE oidc_payloads SET consumed_at = now(),
         payload = jsonb_set(payload, '{consumed}', to_jsonb(extract(epoch from now())::bigint))
       WHERE model = $1 AND id = $2`,
      [model, id],
    );
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.repo.delete({ model, id });
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.repo.delete({ grantId });
  }

  /**
   * Deletes everything of one account: browser sessions, grants, codes and tokens (oidc-provider keeps
   * the account id in each of these payloads). Returns how many rows went.
   */
  async destroyByAccountId(accountId: string): Promise<number> {
    const result = await this.repo
      .createQueryBuilder()
      .delete()
      .where("payload->>'accountId' = :accountId", { accountId })
      .execute();
    return result.affected ?? 0;
  }

  /** Deletes a grant's rows of one model except one (a refresh retires the access tokens before it). */
  async destroyByGrantIdExcept(model: string, grantId: string, keepId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM oidc_payloads WHERE model = $1 AND grant_id = $2 AND id <> $3', [
      model,
      grantId,
      keepId,
    ]);
  }

  /**
   * Up to `limit` rows of `model` whose payload has `field` as a string not starting with `prefix` (the
   * ones a re-encoding at rest has not reached yet), so a start-up pass reads nothing once all are done.
   */
  async withUnprefixedField(
    model: string,
    field: string,
    prefix: string,
    limit: number,
  ): Promise<{ id: string; payload: StoredPayload }[]> {
    return this.dataSource.query(
      `SELECT id, payload FROM oidc_payloads
        WHERE model = $1 AND jsonb_typeof(payload->$2) = 'string' AND left(payload->>$2, length($3)) <> $3
        ORDER BY id LIMIT $4`,
      [model, field, prefix, limit],
    );
  }

  /** Rewrites a row's payload and nothing else (its expiry and indexes stay): for re-encoding at rest. */
  async replacePayload(model: string, id: string, payload: StoredPayload): Promise<void> {
    await this.dataSource.query('UPDATE oidc_payloads SET payload = $3 WHERE model = $1 AND id = $2', [
      model,
      id,
      JSON.stringify(payload),
    ]);
  }

  /** A page of one model's live rows ordered by id (the admin API's client list). */
  async listModel(model: string, page: PageRequest): Promise<Page<{ id: string; payload: StoredPayload }>> {
    const result = await fetchPage(this.liveOf(model), 'p.id', page);
    return { ...result, items: result.items.map((row) => ({ id: row.id, payload: row.payload })) };
  }

  countModel(model: string): Promise<number> {
    return this.liveOf(model).getCount();
  }

  private liveOf(model: string) {
    return this.repo
      .createQueryBuilder('p')
      .where('p.model = :model', { model })
      .andWhere('(p.expires_at IS NULL OR p.expires_at > :now)', { now: new Date(this.clock()) });
  }

  /** Deletes rows past their expiry; run on a schedule to keep the table bounded. */
  async pruneExpired(): Promise<number> {
    const result = await this.repo.delete({ expiresAt: LessThan(new Date(this.clock())) });
    return result.affected ?? 0;
  }

  private live(row: OidcPayloadEntity | null): StoredPayload | undefined {
    if (row === null) return undefined;
    if (row.expiresAt !== null && row.expiresAt.getTime() <= this.clock()) return undefined;
    return row.payload;
  }
}
