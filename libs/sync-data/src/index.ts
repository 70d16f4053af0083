export type {
  AccountDataEvent,
  ClientEvent,
  Hero,
  Membership,
  ReceiptRow,
  StateEvent,
  StrippedStateEvent,
} from './model/events';
export type { RoomDelta, V2Batch } from './model/v2-batch';
export { SYNC_ENTITIES, SYNC_MIGRATIONS, SyncStore, type SyncSnapshot } from './sync-store';
export { BatchWriter, LeaseLostError, type AppliedBatch, type ApplyInput } from './repositories/batch-writer';
export type { MembershipOfRoom } from './repositories/room-writer';
export type {
  ConnectionRepository,
  ConnectionRow,
  OpenedConnection,
} from './repositories/connection.repository';
export type { DeviceRepository, DeviceState, LeasedDevice } from './repositories/device.repository';
export type {
  ReceiptOut,
  StateRow,
  SyncReader,
  TimelineRow,
  TimelineWindow,
  UserRoomRow,
} from './repositories/sync-reader';
export type { StoredTokenRow, TokenRepository } from './repositories/token.repository';
export type { ToDeviceRepository } from './repositories/to-device.repository';
export {
  DEFAULT_PRUNE_LIMITS,
  type PruneLimits,
  type PruneRepository,
} from './repositories/prune.repository';
export {
  isConnectionId,
  parsePollerId,
  pollerId,
  type AdminListQuery,
  type AdminPage,
  type AdminRepository,
  type ConnectionStatus,
  type PollerState,
  type PollerStatus,
} from './repositories/admin.repository';
