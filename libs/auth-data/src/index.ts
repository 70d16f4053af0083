export { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore } from './auth-store';
export {
  AuditEventRepository,
  type AuditActorKind,
  type AuditEvent,
  type AuditEventFilter,
  type AuditOutcome,
  type NewAuditEvent,
} from './repositories/audit-event.repository';
export { isUlid, ulid } from './ulid';
export {
  CompatRepository,
  type CompatAccessToken,
  type CompatRefreshOutcome,
  type CompatSession,
  type CompatSessionFilter,
  type CompatSsoLogin,
  type CompatTokenHashes,
} from './repositories/compat.repository';
export { ConsentRepository } from './repositories/consent.repository';
export { MfaRepository, type UserTotp } from './repositories/mfa.repository';
export { PasskeyRepository, type NewPasskey, type UserPasskey } from './repositories/passkey.repository';
export { OidcPayloadRepository, type StoredPayload } from './repositories/oidc-payload.repository';
export {
  PersonalSessionRepository,
  type NewPersonalSession,
  type PersonalAccessToken,
  type PersonalSession,
  type PersonalSessionFilter,
  type PersonalTokenHash,
} from './repositories/personal-session.repository';
export { type Page, type PageRequest } from './repositories/page';
export {
  UpstreamOauthRepository,
  type ConfiguredProvider,
  type NewUpstreamLink,
  type NewUpstreamSignIn,
  type ProviderSyncResult,
  type UpstreamLink,
  type UpstreamLinkFilter,
  type UpstreamProvider,
  type UpstreamProviderFilter,
} from './repositories/upstream-oauth.repository';
export {
  problemOf as registrationTokenProblem,
  RegistrationTokenRepository,
  type NewRegistrationToken,
  type RegistrationToken,
  type RegistrationTokenFilter,
  type RegistrationTokenProblem,
  type RegistrationTokenUse,
} from './repositories/registration-token.repository';
export {
  SYNAPSE_IMPORT_KINDS,
  SynapseImportRepository,
  type ImportedAccessToken,
  type ImportedDevice,
  type ImportedEmail,
  type ImportedRefreshToken,
  type ImportedUpstreamLink,
  type ImportedUser,
  type SynapseImportCheckpoint,
  type SynapseImportKind,
} from './repositories/synapse-import.repository';
export {
  SessionRepository,
  type Session,
  type SessionActivity,
  type SessionFilter,
} from './repositories/session.repository';
export {
  UserEmailRepository,
  type EmailVerification,
  type EmailVerificationOutcome,
  type EmailVerificationProblem,
  type NewEmailVerification,
  type NewRecoveryTicket,
  type RecoveryTicket,
  type UserEmail,
  type UserEmailFilter,
} from './repositories/user-email.repository';
export {
  UserRepository,
  type NewUser,
  type User,
  type UserFilter,
  type UserLifecycleChange,
} from './repositories/user.repository';
