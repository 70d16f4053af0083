export { ERRCODES, isErrcode, type Errcode } from './errcodes';
export {
  localpartOf,
  parseDeviceId,
  parseRoomId,
  parseServerName,
  parseUserId,
  serverNameOf,
  type DeviceId,
  type RoomId,
  type ServerName,
  type UserId,
} from './ids';
export { MatrixError, type MatrixErrorBody, type MatrixErrorOptions } from './matrix-error';
export type { OpenIdToken, OpenIdUserInfo } from './openid';
