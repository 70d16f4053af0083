import type { operations } from '../api/admin-api';

type UsersQuery = NonNullable<operations['listUsers']['parameters']['query']>;
type AuditQuery = NonNullable<operations['listAuditEvents']['parameters']['query']>;
type TokensQuery = NonNullable<operations['listUserRegistrationTokens']['parameters']['query']>;
export type AuditEventType = NonNullable<AuditQuery['filter[type]']>;

export type TriState = '' | 'true' | 'false';

export interface UserFilters {
  search: string;
  admin: TriState;
  status: '' | 'active' | 'locked' | 'deactivated';
}

export const NO_USER_FILTERS: UserFilters = { search: '', admin: '', status: '' };

/** The users list's filter parameters; blank fields filter nothing. */
export function userFilterQuery(f: UserFilters): UsersQuery {
  const q: UsersQuery = {};
  const search = f.search.trim();
  if (search !== '') q['filter[search]'] = search;
  if (f.admin !== '') q['filter[admin]'] = f.admin;
  if (f.status !== '') q['filter[status]'] = f.status;
  return q;
}

export interface AuditFilters {
  actor: string;
  subject: string;
  type: '' | AuditEventType;
  /** `datetime-local` values, in the browser's time zone. */
  since: string;
  until: string;
}

export const NO_AUDIT_FILTERS: AuditFilters = { actor: '', subject: '', type: '', since: '', until: '' };

/** A `datetime-local` value as an ISO instant; null when it is not a time. */
export function localTimeToIso(value: string): string | null {
  if (value.trim() === '') return null;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? null : time.toISOString();
}

/** The audit log's filter parameters, or the problems to show next to the fields. */
export function auditFilterQuery(
  f: AuditFilters,
): { ok: true; query: AuditQuery } | { ok: false; problems: Partial<Record<keyof AuditFilters, string>> } {
  const q: AuditQuery = {};
  const problems: Partial<Record<keyof AuditFilters, string>> = {};
  if (f.actor.trim() !== '') q['filter[actor]'] = f.actor.trim();
  if (f.subject.trim() !== '') q['filter[subject]'] = f.subject.trim();
  if (f.type !== '') q['filter[type]'] = f.type;
  const since = localTimeToIso(f.since);
  const until = localTimeToIso(f.until);
  if (f.since.trim() !== '' && since === null) problems.since = 'Not a date and time';
  if (f.until.trim() !== '' && until === null) problems.until = 'Not a date and time';
  if (since !== null) q['filter[since]'] = since;
  if (until !== null) q['filter[until]'] = until;
  if (since !== null && until !== null && since >= until) problems.until = 'Must be after "From"';
  return Object.keys(problems).length > 0 ? { ok: false, problems } : { ok: true, query: q };
}

export type TokenView = '' | 'valid' | 'used' | 'revoked' | 'expired';

/** The registration tokens list's one filter (what the page offers) as the API's parameters. */
export function tokenFilterQuery(view: TokenView): TokensQuery {
  switch (view) {
    case '':
      return {};
    case 'valid':
      return { 'filter[valid]': 'true' };
    case 'used':
      return { 'filter[used]': 'true' };
    case 'revoked':
      return { 'filter[revoked]': 'true' };
    case 'expired':
      return { 'filter[expired]': 'true' };
  }
}

/** Every audit event type, for the filter's list (the generated document's enum, kept in step by tsc). */
export const AUDIT_EVENT_TYPES = [
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
  'admin.user-session.finished',
  'admin.compat-session.finished',
  'admin.personal-session.created',
  'admin.personal-session.regenerated',
  'admin.personal-session.revoked',
  'admin.registration-token.created',
  'admin.registration-token.updated',
  'admin.registration-token.revoked',
  'admin.registration-token.unrevoked',
  'admin.upstream-oauth-link.added',
  'admin.upstream-oauth-link.removed',
  'admin.request',
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
] as const satisfies readonly AuditEventType[];

// A type the API gains and this list lacks fails typecheck here.
type Missing = Exclude<AuditEventType, (typeof AUDIT_EVENT_TYPES)[number]>;
export const AUDIT_TYPES_COMPLETE: [Missing] extends [never] ? true : Missing = true;
