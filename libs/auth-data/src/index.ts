export { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore } from './auth-store';
export {
  CompatRepository,
  type CompatAccessToken,
  type CompatRefreshOutcome,
  type CompatSession,
  type CompatSsoLogin,
  type CompatTokenHashes,
} from './repositories/compat.repository';
export { ConsentRepository } from './repositories/consent.repository';
export { OidcPayloadRepository, type StoredPayload } from './repositories/oidc-payload.repository';
export { type Page, type PageRequest } from './repositories/page';
export {
  SessionRepository,
  type Session,
  type SessionActivity,
  type SessionFilter,
} from './repositories/session.repository';
export {
  UserRepository,
  type NewUser,
  type User,
  type UserFilter,
  type UserLifecycleChange,
} from './repositories/user.repository';
