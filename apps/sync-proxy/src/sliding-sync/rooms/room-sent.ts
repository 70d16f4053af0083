/** What a connection remembers about one room it has sent. */
export interface RoomSent {
  /** The stream position the room was last brought up to on this connection. */
  seq: number;
  /** The required_state config (canonical key) and timeline limit it was sent with. */
  rs: string;
  tl: number;
  /** Last sent computed name, avatar and bump stamp: sent again only when they change. */
  name: string | null;
  avatar: string | null;
  bump: number;
  /** Last sent joined and invited counts (Synapse sends them on the first send and on change only). */
  counts: [number, number];
  /** Members already sent under `$LAZY` (bounded). */
  lazy: string[];
}

/** Bound on members remembered per room under `$LAZY` (Synapse keeps 100 as well). */
export const MAX_LAZY_MEMBERS = 100;
