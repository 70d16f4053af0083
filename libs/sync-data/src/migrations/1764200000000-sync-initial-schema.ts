import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sync proxy's tables. `seq` is one global stream position (`sync_stream.max_seq`) shared by every
 * kind of data, so "what changed since this connection's last answer" is one comparison per table.
 */
export class SyncInitialSchema1764200000000 implements MigrationInterface {
  name = 'SyncInitialSchema1764200000000';

  async up(q: QueryRunner): Promise<void> {
    // One row: writers take its lock for their whole transaction, so a reader that sees max_seq = N
    // sees every row with seq ≤ N (no gap fills in later).
    await q.query(`CREATE TABLE sync_stream (id int PRIMARY KEY CHECK (id = 1), max_seq bigint NOT NULL)`);
    await q.query(`INSERT INTO sync_stream (id, max_seq) VALUES (1, 0)`);
    await q.query(`CREATE SEQUENCE sync_position_seq`);
    await q.query(`CREATE TABLE sync_tokens (
      token_hash bytea PRIMARY KEY,
      token_enc bytea NOT NULL,
      user_id text NOT NULL,
      device_id text NOT NULL,
      verified_at timestamptz NOT NULL,
      invalid_at timestamptz
    )`);
    await q.query(`CREATE INDEX sync_tokens_device ON sync_tokens (user_id, device_id)`);
    await q.query(`CREATE TABLE sync_devices (
      user_id text NOT NULL,
      device_id text NOT NULL,
      token_hash bytea NOT NULL,
      since text,
      poll_state text NOT NULL DEFAULT 'active',
      owner text,
      lease_until timestamptz,
      last_request_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, device_id)
    )`);
    await q.query(
      `CREATE INDEX sync_devices_lease ON sync_devices (lease_until) WHERE poll_state = 'active'`,
    );
    await q.query(`CREATE TABLE sync_rooms (
      room_id text PRIMARY KEY,
      room_type text,
      is_encrypted boolean NOT NULL DEFAULT false,
      name text,
      canonical_alias text,
      avatar_url text,
      tombstone_successor text,
      changed_seq bigint NOT NULL DEFAULT 0,
      bump_ts bigint NOT NULL DEFAULT 0,
      bump_seq bigint NOT NULL DEFAULT 0
    )`);
    await q.query(`CREATE TABLE sync_room_state (
      room_id text NOT NULL,
      type text NOT NULL,
      state_key text NOT NULL,
      event_id text NOT NULL,
      seq bigint NOT NULL,
      event jsonb NOT NULL,
      PRIMARY KEY (room_id, type, state_key)
    )`);
    await q.query(`CREATE INDEX sync_room_state_seq ON sync_room_state (room_id, seq)`);
    await q.query(`CREATE TABLE sync_timeline (
      room_id text NOT NULL,
      seq bigint NOT NULL,
      event_id text NOT NULL,
      prev_batch text,
      gap_before boolean NOT NULL DEFAULT false,
      event jsonb NOT NULL,
      PRIMARY KEY (room_id, seq),
      UNIQUE (room_id, event_id)
    )`);
    await q.query(`CREATE TABLE sync_txn_ids (
      event_id text NOT NULL,
      device_key text NOT NULL,
      txn_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (event_id, device_key)
    )`);
    await q.query(`CREATE TABLE sync_user_rooms (
      user_id text NOT NULL,
      room_id text NOT NULL,
      membership text NOT NULL,
      membership_by_self boolean NOT NULL DEFAULT true,
      membership_ts bigint NOT NULL,
      changed_seq bigint NOT NULL,
      visible_from_seq bigint NOT NULL,
      visible_to_seq bigint,
      heroes jsonb,
      joined_count int,
      invited_count int,
      invite_state jsonb,
      notification_count int NOT NULL DEFAULT 0,
      highlight_count int NOT NULL DEFAULT 0,
      PRIMARY KEY (user_id, room_id)
    )`);
    await q.query(`CREATE INDEX sync_user_rooms_room ON sync_user_rooms (room_id)`);
    await q.query(`CREATE TABLE sync_account_data (
      user_id text NOT NULL,
      room_id text NOT NULL,
      type text NOT NULL,
      content jsonb NOT NULL,
      seq bigint NOT NULL,
      PRIMARY KEY (user_id, room_id, type)
    )`);
    await q.query(`CREATE INDEX sync_account_data_seq ON sync_account_data (user_id, seq)`);
    await q.query(`CREATE TABLE sync_receipts (
      room_id text NOT NULL,
      user_id text NOT NULL,
      receipt_type text NOT NULL,
      thread_id text NOT NULL,
      event_id text NOT NULL,
      ts bigint NOT NULL,
      seq bigint NOT NULL,
      PRIMARY KEY (room_id, user_id, receipt_type, thread_id)
    )`);
    await q.query(`CREATE INDEX sync_receipts_seq ON sync_receipts (room_id, seq)`);
    await q.query(
      `CREATE TABLE sync_typing (room_id text PRIMARY KEY, user_ids text[] NOT NULL, seq bigint NOT NULL)`,
    );
    await q.query(`CREATE TABLE sync_to_device (
      position bigserial PRIMARY KEY,
      user_id text NOT NULL,
      device_id text NOT NULL,
      event jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX sync_to_device_inbox ON sync_to_device (user_id, device_id, position)`);
    await q.query(`CREATE TABLE sync_device_keys (
      user_id text NOT NULL,
      device_id text NOT NULL,
      otk_counts jsonb,
      fallback_types jsonb,
      seq bigint NOT NULL,
      PRIMARY KEY (user_id, device_id)
    )`);
    await q.query(`CREATE TABLE sync_device_list_changes (
      user_id text NOT NULL,
      device_id text NOT NULL,
      target_user_id text NOT NULL,
      change text NOT NULL,
      seq bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, device_id, target_user_id)
    )`);
    await q.query(
      `CREATE INDEX sync_device_list_changes_seq ON sync_device_list_changes (user_id, device_id, seq)`,
    );
    await q.query(`CREATE TABLE sync_connections (
      conn_key bigserial PRIMARY KEY,
      user_id text NOT NULL,
      device_id text NOT NULL,
      conn_id text NOT NULL,
      committed_pos bigint,
      committed jsonb,
      pending_pos bigint,
      pending jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, device_id, conn_id)
    )`);
    await q.query(`CREATE INDEX sync_connections_last_used ON sync_connections (last_used_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'sync_connections',
      'sync_device_list_changes',
      'sync_device_keys',
      'sync_to_device',
      'sync_typing',
      'sync_receipts',
      'sync_account_data',
      'sync_user_rooms',
      'sync_txn_ids',
      'sync_timeline',
      'sync_room_state',
      'sync_rooms',
      'sync_devices',
      'sync_tokens',
      'sync_stream',
    ])
      await q.query(`DROP TABLE ${table}`);
    await q.query(`DROP SEQUENCE sync_position_seq`);
  }
}
