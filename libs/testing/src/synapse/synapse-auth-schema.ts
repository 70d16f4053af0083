/**
 * The tables of Synapse's database that hold accounts and sessions, with Synapse's own column names and
 * types (synapse/storage/schema/main/full_schemas/72 plus later deltas, in Synapse's repository), in
 * SQL both PostgreSQL and SQLite accept. For tests and benchmarks that need a Synapse database of a
 * given shape or size without running Synapse to make it.
 */
export const SYNAPSE_AUTH_SCHEMA: readonly string[] = [
  `CREATE TABLE users (
    name text, password_hash text, creation_ts bigint, admin smallint DEFAULT 0 NOT NULL, upgrade_ts bigint,
    is_guest smallint DEFAULT 0 NOT NULL, appservice_id text, consent_version text,
    consent_server_notice_sent text, user_type text, deactivated smallint DEFAULT 0 NOT NULL,
    shadow_banned boolean, consent_ts bigint, approved boolean, locked boolean DEFAULT false NOT NULL,
    suspended boolean DEFAULT false NOT NULL, UNIQUE (name))`,
  `CREATE TABLE profiles (user_id text NOT NULL, displayname text, avatar_url text, full_user_id text,
    UNIQUE (user_id))`,
  'CREATE UNIQUE INDEX profiles_full_user_id_key ON profiles (full_user_id)',
  `CREATE TABLE user_threepids (user_id text NOT NULL, medium text NOT NULL, address text NOT NULL,
    validated_at bigint NOT NULL, added_at bigint NOT NULL, UNIQUE (medium, address))`,
  `CREATE TABLE user_external_ids (auth_provider text NOT NULL, external_id text NOT NULL,
    user_id text NOT NULL, UNIQUE (auth_provider, external_id))`,
  `CREATE TABLE devices (user_id text NOT NULL, device_id text NOT NULL, display_name text, last_seen bigint,
    ip text, user_agent text, hidden boolean DEFAULT false, UNIQUE (user_id, device_id))`,
  `CREATE TABLE access_tokens (id bigint NOT NULL PRIMARY KEY, user_id text NOT NULL, device_id text,
    token text NOT NULL UNIQUE, valid_until_ms bigint, puppets_user_id text, last_validated bigint,
    refresh_token_id bigint, used boolean)`,
  'CREATE INDEX access_tokens_refresh_token_id_idx ON access_tokens (refresh_token_id)',
  `CREATE TABLE refresh_tokens (id bigint NOT NULL PRIMARY KEY, user_id text NOT NULL, device_id text NOT NULL,
    token text NOT NULL UNIQUE, next_token_id bigint, expiry_ts bigint, ultimate_session_expiry_ts bigint)`,
];
