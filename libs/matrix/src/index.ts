export { isErrcode, type Errcode } from './errcodes';
export { localpartOf, parseServerName, parseUserId, serverNameOf, type ServerName, type UserId } from './ids';
export { MatrixError, type MatrixErrorBody, type MatrixErrorOptions } from './matrix-error';
