import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An upstream OpenID provider as configured (MAS's `upstream_oauth_providers`), without its secret. */
@Entity({ name: 'upstream_oauth_providers' })
export class UpstreamOauthProviderEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', nullable: true })
  issuer!: string | null;

  @Column({ name: 'human_name', type: 'text', nullable: true })
  humanName!: string | null;

  @Column({ name: 'brand_name', type: 'text', nullable: true })
  brandName!: string | null;

  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ type: 'text' })
  scope!: string;

  /** Synapse's `auth_provider` for this provider (`oidc-<idp_id>`): links imported under it are re-keyed. */
  @Column({ name: 'synapse_idp_id', type: 'text', nullable: true })
  synapseIdpId!: string | null;

  @Column({ name: 'ui_order', type: 'integer' })
  uiOrder!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Set when the provider left the configuration: its links stay, nobody signs in through it. */
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;
}

/** A user's account at an upstream provider (MAS's `upstream_oauth_links`). */
@Entity({ name: 'upstream_oauth_links' })
export class UpstreamOauthLinkEntity {
  @Column({ type: 'uuid', unique: true })
  id!: string;

  @PrimaryColumn({ name: 'provider_id', type: 'text' })
  providerId!: string;

  @PrimaryColumn({ type: 'text' })
  subject!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'human_account_name', type: 'text', nullable: true })
  humanAccountName!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
