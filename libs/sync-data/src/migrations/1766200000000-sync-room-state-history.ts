import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The state a room had before a change, for users who left (or were kicked or banned) before it: MSC4186
 * shows a left room as of the leave, and `sync_room_state` holds only the current state, which pollers
 * of the members still joined keep moving on. A row here was current from `seq` until `replaced_seq`.
 *
 * A trigger, not the writers, keeps it: every write path of `sync_room_state` (a state block, a timeline
 * state event, and any added later) then records what it replaced. Rows nobody's leave falls inside are
 * pruned (PruneRepository).
 */
export class SyncRoomStateHistory1766200000000 implements MigrationInterface {
  name = 'SyncRoomStateHistory1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE sync_room_state_history (
      room_id text NOT NULL,
      type text NOT NULL,
      state_key text NOT NULL,
      event_id text NOT NULL,
      seq bigint NOT NULL,
      replaced_seq bigint NOT NULL,
      replaced_at timestamptz NOT NULL DEFAULT now(),
      event jsonb NOT NULL
    )`);
    await q.query(
      `CREATE INDEX sync_room_state_history_room ON sync_room_state_history (room_id, replaced_seq)`,
    );
    await q.query(`CREATE FUNCTION sync_room_state_keep_history() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO sync_room_state_history (room_id, type, state_key, event_id, seq, replaced_seq, event)
        VALUES (OLD.room_id, OLD.type, OLD.state_key, OLD.event_id, OLD.seq, NEW.seq, OLD.event);
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER sync_room_state_history AFTER UPDATE ON sync_room_state
      FOR EACH ROW WHEN (OLD.event_id IS DISTINCT FROM NEW.event_id)
      EXECUTE FUNCTION sync_room_state_keep_history()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER sync_room_state_history ON sync_room_state`);
    await q.query(`DROP FUNCTION sync_room_state_keep_history()`);
    await q.query(`DROP TABLE sync_room_state_history`);
  }
}
