import type { DataSource } from 'typeorm';
import type { Clock } from '@gateway/util';
import { AuditEventEntity } from './entities/audit-event.entity';
import {
  CompatAccessTokenEntity,
  CompatRefreshTokenEntity,
  CompatSessionEntity,
  CompatSsoLoginEntity,
} from './entities/compat-session.entity';
import { UserRecoveryCodeEntity, UserTotpEntity } from './entities/mfa.entity';
import { UserPasskeyEntity } from './entities/passkey.entity';
import { ConsentEntity } from './entities/consent.entity';
import { OidcPayloadEntity } from './entities/oidc-payload.entity';
import { PersonalAccessTokenEntity, PersonalSessionEntity } from './entities/personal-session.entity';
import { RegistrationTokenEntity } from './entities/registration-token.entity';
import { SessionEntity } from './entities/session.entity';
import { EmailVerificationEntity, RecoveryTicketEntity, UserEmailEntity } from './entities/user-email.entity';
import { UpstreamOauthLinkEntity, UpstreamOauthProviderEntity } from './entities/upstream-oauth.entity';
import { UserEntity } from './entities/user.entity';
import { InitialSchema1764140000000 } from './migrations/1764140000000-initial-schema';
import { CompatSessions1764900000000 } from './migrations/1764900000000-compat-sessions';
import { NoSecretsAtRest1764910000000 } from './migrations/1764910000000-no-secrets-at-rest';
import { SynapseImport1765100000000 } from './migrations/1765100000000-synapse-import';
import { RegistrationTokens1765200000000 } from './migrations/1765200000000-registration-tokens';
import { SessionActivity1765400000000 } from './migrations/1765400000000-session-activity';
import { AuditEvents1765600000000 } from './migrations/1765600000000-audit-events';
import { EmailVerification1765520000000 } from './migrations/1765520000000-email-verification';
import { Mfa1765800000000 } from './migrations/1765800000000-mfa';
import { Passkeys1766000000000 } from './migrations/1766000000000-passkeys';
import { PersonalSessionActivity1766100000000 } from './migrations/1766100000000-personal-session-activity';
import { PersonalSessions1765700000000 } from './migrations/1765700000000-personal-sessions';
import { UpstreamOauth1766300000000 } from './migrations/1766300000000-upstream-oauth';
import { UpstreamSignIns1766400000000 } from './migrations/1766400000000-upstream-sign-ins';
import { AuditEventRepository } from './repositories/audit-event.repository';
import { CompatRepository } from './repositories/compat.repository';
import { MfaRepository } from './repositories/mfa.repository';
import { PasskeyRepository } from './repositories/passkey.repository';
import { ConsentRepository } from './repositories/consent.repository';
import { OidcPayloadRepository } from './repositories/oidc-payload.repository';
import { PersonalSessionRepository } from './repositories/personal-session.repository';
import { RegistrationTokenRepository } from './repositories/registration-token.repository';
import { SessionRepository } from './repositories/session.repository';
import { SynapseImportRepository } from './repositories/synapse-import.repository';
import { UpstreamOauthRepository } from './repositories/upstream-oauth.repository';
import { UserEmailRepository } from './repositories/user-email.repository';
import { UserRepository } from './repositories/user.repository';

/** Explicit lists: a forgotten entity or migration fails loudly, not on a query at run time. */
export const AUTH_ENTITIES = [
  UserEntity,
  OidcPayloadEntity,
  ConsentEntity,
  SessionEntity,
  CompatSessionEntity,
  CompatAccessTokenEntity,
  CompatRefreshTokenEntity,
  CompatSsoLoginEntity,
  RegistrationTokenEntity,
  AuditEventEntity,
  UserEmailEntity,
  EmailVerificationEntity,
  RecoveryTicketEntity,
  PersonalSessionEntity,
  PersonalAccessTokenEntity,
  UserTotpEntity,
  UserRecoveryCodeEntity,
  UserPasskeyEntity,
  UpstreamOauthProviderEntity,
  UpstreamOauthLinkEntity,
];
export const AUTH_MIGRATIONS = [
  InitialSchema1764140000000,
  CompatSessions1764900000000,
  NoSecretsAtRest1764910000000,
  SynapseImport1765100000000,
  RegistrationTokens1765200000000,
  SessionActivity1765400000000,
  EmailVerification1765520000000,
  AuditEvents1765600000000,
  PersonalSessions1765700000000,
  Mfa1765800000000,
  Passkeys1766000000000,
  PersonalSessionActivity1766100000000,
  UpstreamOauth1766300000000,
  UpstreamSignIns1766400000000,
];

/** The auth service's repositories over one DataSource. */
export class AuthStore {
  readonly users: UserRepository;
  readonly payloads: OidcPayloadRepository;
  readonly consents: ConsentRepository;
  readonly sessions: SessionRepository;
  readonly compat: CompatRepository;
  readonly synapseImport: SynapseImportRepository;
  readonly registrationTokens: RegistrationTokenRepository;
  readonly auditEvents: AuditEventRepository;
  readonly emails: UserEmailRepository;
  readonly personal: PersonalSessionRepository;
  readonly mfa: MfaRepository;
  readonly passkeys: PasskeyRepository;
  readonly upstream: UpstreamOauthRepository;

  /** `clock` decides when stored OIDC payloads (codes, tokens, sessions) have expired. */
  constructor(dataSource: DataSource, clock?: Clock) {
    this.users = new UserRepository(dataSource);
    this.payloads = new OidcPayloadRepository(dataSource, clock);
    this.consents = new ConsentRepository(dataSource);
    this.sessions = new SessionRepository(dataSource);
    this.compat = new CompatRepository(dataSource);
    this.synapseImport = new SynapseImportRepository(dataSource);
    this.registrationTokens = new RegistrationTokenRepository(dataSource);
    this.auditEvents = new AuditEventRepository(dataSource);
    this.emails = new UserEmailRepository(dataSource);
    this.personal = new PersonalSessionRepository(dataSource);
    this.mfa = new MfaRepository(dataSource);
    this.passkeys = new PasskeyRepository(dataSource);
    this.upstream = new UpstreamOauthRepository(dataSource);
  }
}
