import { redactSecrets } from '@gateway/util';

/**
 * The audit log's vocabulary: a closed set of event types (the admin API's `filter[type]` and the
 * OpenAPI document list exactly these), who may act, and what a record's details may hold.
 */

/** Events of people using the service: recorded fail-open (a failed write is logged, the action goes on). */
export const USER_EVENT_TYPES = [
  'user.login.succeeded',
  'user.login.failed',
  'user.login.mfa.failed',
  'compat.login.succeeded',
  'compat.login.failed',
  'compat.logout',
  'session.ended',
  'token.revoked',
  'refresh.replayed',
  'account.password.changed',
  'account.displayname.changed',
  'account.cross-signing-reset.allowed',
  'account.deactivated',
  'account.personal-token.created',
  'account.personal-token.revoked',
  'account.mfa.totp.enabled',
  'account.mfa.totp.disabled',
  'account.mfa.passkey.added',
  'account.mfa.passkey.removed',
  'account.mfa.recovery-codes.regenerated',
  'account.upstream.registered',
  'account.upstream-link.added',
  'account.upstream-link.removed',
] as const;

/** The admin API's changes, one per mutating operation (`admin.request` for one without its own). */
export const ADMIN_EVENT_TYPES = [
  'admin.user.created',
  'admin.user.password.set',
  'admin.user.admin.set',
  'admin.user.locked',
  'admin.user.unlocked',
  'admin.user.deactivated',
  'admin.user.reactivated',
  'admin.user.mfa.reset',
  'admin.user-email.added',
  'admin.user-email.removed',
  'admin.session.finished',
  'admin.registration-token.created',
  'admin.registration-token.updated',
  'admin.registration-token.revoked',
  'admin.registration-token.unrevoked',
  'admin.personal-session.created',
  'admin.personal-session.revoked',
  'admin.personal-session.regenerated',
  'admin.compat-session.finished',
  'admin.user-session.finished',
  'admin.upstream-oauth-link.added',
  'admin.upstream-oauth-link.removed',
  'admin.request',
] as const;

/** The operator CLI's changing commands (`cli.js …`), and the Synapse import's summary. */
export const CLI_EVENT_TYPES = [
  'cli.user.created',
  'cli.user.password.set',
  'cli.user.locked',
  'cli.user.unlocked',
  'cli.user.deactivated',
  'cli.user.reactivated',
  'cli.user.displayname.set',
  'cli.user.sessions.killed',
  'cli.user.admin.set',
  'cli.user.compat-token.issued',
  'cli.users.provisioned',
  'cli.user.mfa.reset',
  'cli.registration-token.created',
  'cli.registration-token.revoked',
  'cli.registration-token.unrevoked',
  'import.synapse',
] as const;

export const AUDIT_EVENT_TYPES = [...USER_EVENT_TYPES, ...ADMIN_EVENT_TYPES, ...CLI_EVENT_TYPES] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
export type AdminEventType = (typeof ADMIN_EVENT_TYPES)[number];
export type CliEventType = (typeof CLI_EVENT_TYPES)[number];

/** Who acted. */
export type AuditActor =
  | { kind: 'user'; id: string }
  | { kind: 'client'; id: string }
  | { kind: 'cli' }
  | { kind: 'system' }
  | { kind: 'anonymous' };

/**
 * A record's details: a few flat, small values. Only names and counts go here, never what a person
 * typed or was issued; `safeDetails` enforces that whatever a caller passes.
 */
export type AuditDetails = Readonly<Record<string, string | number | boolean | null>>;

/** Where a request came from: the trusted-proxy client address and the user agent. */
export interface AuditOrigin {
  ip: string | null;
  userAgent: string | null;
}

export const NO_ORIGIN: AuditOrigin = { ip: null, userAgent: null };

const SECRET_KEY = /pass|secret|token|code|cookie|authori[sz]ation|credential|key/i;
// The token shapes the gateway issues or imports (MAS's mat_/mar_/mct_/mcr_/mpt_, Synapse's syt_/syr_);
// redactSecrets (libs/util) knows the rest (JWTs, bearer values, credentials in URLs).
const SECRET_VALUE = /\b(?:mat|mar|mct|mcr|mpt|syt|syr)_/;
const MAX_KEYS = 16;
const MAX_STRING = 200;

/**
 * The details as stored: keys named like a secret are dropped, string values shaped like a token are
 * dropped, strings are cut to 200 characters and at most 16 keys are kept. A second line of defence:
 * callers pass only names and counts in the first place.
 */
export function safeDetails(details: AuditDetails = {}): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(details)) {
    if (Object.keys(out).length >= MAX_KEYS) break;
    if (SECRET_KEY.test(key)) continue;
    if (typeof value === 'string') {
      if (SECRET_VALUE.test(value) || redactSecrets(value) !== value) continue;
      out[key] = value.slice(0, MAX_STRING);
    } else if (typeof value === 'number') {
      if (Number.isFinite(value)) out[key] = value;
    } else out[key] = value;
  }
  return out;
}

/** The stored actor column: the id for users and clients, the kind otherwise. */
export function actorColumn(actor: AuditActor): string {
  return actor.kind === 'user' || actor.kind === 'client' ? actor.id : actor.kind;
}
