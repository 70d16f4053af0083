import type { DataSource } from 'typeorm';
import { UpstreamOauthLinkEntity, UpstreamOauthProviderEntity } from '../entities/upstream-oauth.entity';
import { fetchPage, type Page, type PageRequest } from './page';

export interface UpstreamProvider {
  id: string;
  issuer: string | null;
  humanName: string | null;
  brandName: string | null;
  clientId: string;
  scope: string;
  synapseIdpId: string | null;
  uiOrder: number;
  createdAt: Date;
  disabledAt: Date | null;
}

/** What the configuration says of a provider; the sync keeps the table equal to it. */
export type ConfiguredProvider = Omit<UpstreamProvider, 'createdAt' | 'disabledAt'>;

export interface UpstreamProviderFilter {
  enabled?: boolean;
}

export interface UpstreamLink {
  id: string;
  providerId: string;
  subject: string;
  userId: string;
  humanAccountName: string | null;
  createdAt: Date;
}

export interface NewUpstreamLink {
  providerId: string;
  subject: string;
  userId: string;
  humanAccountName: string | null;
}

export interface UpstreamLinkFilter {
  userId?: string;
  providerId?: string;
  subject?: string;
  /** Substring of the account name the provider gave, case-insensitive (MAS's `filter[human-account-name]`). */
  humanAccountName?: string;
}

export interface ProviderSyncResult {
  /** Providers in the configuration (inserted or updated, enabled). */
  configured: number;
  /** Providers disabled because they left the configuration. */
  disabled: number;
  /** Links imported from Synapse under a provider's `synapse_idp_id`, now keyed by the provider's id. */
  rekeyedLinks: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Upstream providers and the links from their accounts to ours. A subject is linked to at most one
 * account per provider (the primary key); an account may hold links to several providers, and several
 * accounts at one provider.
 */
export class UpstreamOauthRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get providers() {
    return this.dataSource.getRepository(UpstreamOauthProviderEntity);
  }

  private get links() {
    return this.dataSource.getRepository(UpstreamOauthLinkEntity);
  }

  /**
   * Makes the table what the configuration says, in one transaction: configured providers are
   * upserted and enabled, others disabled (never deleted: their links stay, as MAS keeps them without
   * `--prune`), and links the Synapse import stored under a provider's `synapse_idp_id` are re-keyed
   * to the provider's id. A link that would collide with one already keyed by the id keeps the latter.
   */
  async syncProviders(configured: ConfiguredProvider[], now: Date): Promise<ProviderSyncResult> {
    return this.dataSource.transaction(async (m) => {
      for (const p of configured) {
        await m.query(
          `INSERT INTO upstream_oauth_providers
             (id, issuer, human_name, brand_name, client_id, scope, synapse_idp_id, ui_order, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
           ON CONFLICT (id) DO UPDATE SET issuer = $2, human_name = $3, brand_name = $4, client_id = $5,
             scope = $6, synapse_idp_id = $7, ui_order = $8, updated_at = $9, disabled_at = NULL`,
          [p.id, p.issuer, p.humanName, p.brandName, p.clientId, p.scope, p.synapseIdpId, p.uiOrder, now],
        );
      }
      const ids = configured.map((p) => p.id);
      const disabled: unknown[] = await m.query(
        `WITH d AS (UPDATE upstream_oauth_providers SET disabled_at = $2, updated_at = $2
         WHERE disabled_at IS NULL AND NOT (id = ANY($1::text[])) RETURNING id) SELECT id FROM d`,
        [ids, now],
      );
      let rekeyedLinks = 0;
      for (const p of configured) {
        if (p.synapseIdpId === null || p.synapseIdpId === p.id) continue;
        const moved: unknown[] = await m.query(
          `WITH m AS (UPDATE upstream_oauth_links l SET provider_id = $1
           WHERE l.provider_id = $2 AND NOT EXISTS
             (SELECT 1 FROM upstream_oauth_links k WHERE k.provider_id = $1 AND k.subject = l.subject)
           RETURNING 1) SELECT 1 FROM m`,
          [p.id, p.synapseIdpId],
        );
        rekeyedLinks += moved.length;
      }
      return { configured: configured.length, disabled: disabled.length, rekeyedLinks };
    });
  }

  async getProvider(id: string): Promise<UpstreamProvider | null> {
    const row = await this.providers.findOneBy({ id });
    return row === null ? null : toProvider(row);
  }

  /** A page of providers ordered by id. */
  async listProviders(filter: UpstreamProviderFilter, page: PageRequest): Promise<Page<UpstreamProvider>> {
    const result = await fetchPage(this.filteredProviders(filter), 'p.id', page);
    return { ...result, items: result.items.map(toProvider) };
  }

  countProviders(filter: UpstreamProviderFilter): Promise<number> {
    return this.filteredProviders(filter).getCount();
  }

  private filteredProviders(filter: UpstreamProviderFilter) {
    const qb = this.providers.createQueryBuilder('p');
    if (filter.enabled === true) qb.andWhere('p.disabled_at IS NULL');
    if (filter.enabled === false) qb.andWhere('p.disabled_at IS NOT NULL');
    return qb;
  }

  async findLink(providerId: string, subject: string): Promise<UpstreamLink | null> {
    const row = await this.links.findOneBy({ providerId, subject });
    return row === null ? null : toLink(row);
  }

  async getLink(id: string): Promise<UpstreamLink | null> {
    if (!UUID.test(id)) return null;
    const row = await this.links.findOneBy({ id });
    return row === null ? null : toLink(row);
  }

  /** The user's links, oldest first. */
  async linksOfUser(userId: string): Promise<UpstreamLink[]> {
    const rows = await this.links.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(toLink);
  }

  /** A page of links ordered by id, filtered. */
  async listLinks(filter: UpstreamLinkFilter, page: PageRequest): Promise<Page<UpstreamLink>> {
    const result = await fetchPage(this.filteredLinks(filter), 'l.id', page);
    return { ...result, items: result.items.map(toLink) };
  }

  countLinks(filter: UpstreamLinkFilter): Promise<number> {
    return this.filteredLinks(filter).getCount();
  }

  private filteredLinks(filter: UpstreamLinkFilter) {
    const qb = this.links.createQueryBuilder('l');
    if (filter.userId !== undefined) qb.andWhere('l.user_id = :userId', { userId: filter.userId });
    if (filter.providerId !== undefined)
      qb.andWhere('l.provider_id = :providerId', { providerId: filter.providerId });
    if (filter.subject !== undefined) qb.andWhere('l.subject = :subject', { subject: filter.subject });
    if (filter.humanAccountName !== undefined) {
      // LIKE's own wildcards in the text are literal characters.
      const escaped = filter.humanAccountName.replace(/[\\%_]/g, (c) => `\\${c}`);
      qb.andWhere("l.human_account_name ILIKE :name ESCAPE '\\'", { name: `%${escaped}%` });
    }
    return qb;
  }

  /** Links the subject to the user; null when the subject is already linked (to anyone) at that provider. */
  async addLink(link: NewUpstreamLink, now: Date): Promise<UpstreamLink | null> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `INSERT INTO upstream_oauth_links (provider_id, subject, user_id, human_account_name, created_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (provider_id, subject) DO NOTHING RETURNING id`,
      [link.providerId, link.subject, link.userId, link.humanAccountName, now],
    );
    const id = rows[0]?.['id'];
    return typeof id === 'string' ? { ...link, id, createdAt: now } : null;
  }

  /** Removes a link; the removed link, null when there was none of that id (or not the given user's). */
  async removeLink(id: string, userId?: string): Promise<UpstreamLink | null> {
    if (!UUID.test(id)) return null;
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `WITH d AS (DELETE FROM upstream_oauth_links WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2)
       RETURNING id, provider_id, subject, user_id, human_account_name, created_at) SELECT * FROM d`,
      [id, userId ?? null],
    );
    const row = rows[0];
    return row === undefined ? null : rawLink(row);
  }

  /** Removes the user's links at one provider (`on_conflict: replace`); how many went. */
  async removeUserLinksAt(userId: string, providerId: string): Promise<number> {
    const result = await this.links.delete({ userId, providerId });
    return result.affected ?? 0;
  }

  /**
   * A sign-in through a provider that is about to finish an authorization (`interactionUid`): its
   * browser session is not known until oidc-provider resumes the authorization (`bindSignIn`).
   */
  async recordSignIn(signIn: NewUpstreamSignIn, now: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO upstream_oauth_sign_ins (provider_id, sub, sid, user_id, interaction_uid, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [signIn.providerId, signIn.sub, signIn.sid, signIn.userId, signIn.interactionUid, now],
    );
  }

  /** The browser session a resumed authorization signed `userId` into, on its pending sign-ins. */
  async bindSignIn(interactionUid: string, userId: string, browserSessionUid: string): Promise<number> {
    // A CTE, so the driver answers rows (a bare UPDATE answers [rows, count]).
    const rows: { n: number }[] = await this.dataSource.query(
      `WITH b AS (UPDATE upstream_oauth_sign_ins SET browser_session_uid = $3
         WHERE interaction_uid = $1 AND user_id = $2 AND browser_session_uid IS NULL RETURNING id)
       SELECT count(*)::int AS n FROM b`,
      [interactionUid, userId, browserSessionUid],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * The browser sessions (oidc-provider `uid`s) and their accounts that sign-ins through the provider
   * made for the ID token `sub` and/or `sid` a logout token names (both must match when both are given).
   */
  async signedInSessions(
    providerId: string,
    match: { sub: string | null; sid: string | null },
  ): Promise<{ browserSessionUid: string; userId: string }[]> {
    const rows: { browser_session_uid: string; user_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT browser_session_uid, user_id::text AS user_id FROM upstream_oauth_sign_ins
        WHERE provider_id = $1 AND browser_session_uid IS NOT NULL
          AND ($2::text IS NULL OR sub = $2) AND ($3::text IS NULL OR sid = $3)`,
      [providerId, match.sub, match.sid],
    );
    return rows.map((r) => ({ browserSessionUid: r.browser_session_uid, userId: r.user_id }));
  }

  /** Forgets sign-ins older than `before` (their browser sessions have expired); how many went. */
  async pruneSignIns(before: Date): Promise<number> {
    const rows: { n: number }[] = await this.dataSource.query(
      `WITH d AS (DELETE FROM upstream_oauth_sign_ins WHERE created_at < $1 RETURNING id)
       SELECT count(*)::int AS n FROM d`,
      [before],
    );
    return rows[0]?.n ?? 0;
  }
}

export interface NewUpstreamSignIn {
  providerId: string;
  /** The ID token's `sub` claim as the provider sent it (not the `claims_imports.subject` template). */
  sub: string;
  sid: string | null;
  userId: string;
  interactionUid: string;
}

function toProvider(row: UpstreamOauthProviderEntity): UpstreamProvider {
  return {
    id: row.id,
    issuer: row.issuer,
    humanName: row.humanName,
    brandName: row.brandName,
    clientId: row.clientId,
    scope: row.scope,
    synapseIdpId: row.synapseIdpId,
    uiOrder: row.uiOrder,
    createdAt: row.createdAt,
    disabledAt: row.disabledAt,
  };
}

function toLink(row: UpstreamOauthLinkEntity): UpstreamLink {
  return {
    id: row.id,
    providerId: row.providerId,
    subject: row.subject,
    userId: row.userId,
    humanAccountName: row.humanAccountName,
    createdAt: row.createdAt,
  };
}

function rawLink(row: Record<string, unknown>): UpstreamLink {
  return {
    id: String(row['id']),
    providerId: String(row['provider_id']),
    subject: String(row['subject']),
    userId: String(row['user_id']),
    humanAccountName: typeof row['human_account_name'] === 'string' ? row['human_account_name'] : null,
    createdAt: new Date(row['created_at'] as string | Date),
  };
}
