import {
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { catchError, concatMap, from, map, throwError, type Observable } from 'rxjs';
import { AdminApiError } from '@gateway/server';
import type { AuditActor, AuditDetails, AdminEventType } from '../audit/audit-events';
import { originOf, type AuditLog } from '../audit/audit-log';
import { AUDIT_LOG } from '../tokens';
import type { AdminCaller } from './admin-token';
import { ADMIN_OPERATION, parseInput, type AdminOperation } from './operation';
import { errorSchema } from './resources';

/** The event of each changing operation; one not listed is recorded as `admin.request`. */
const EVENT_OF: Readonly<Record<string, AdminEventType>> = {
  createUser: 'admin.user.created',
  setUserPassword: 'admin.user.password.set',
  userSetAdmin: 'admin.user.admin.set',
  lockUser: 'admin.user.locked',
  unlockUser: 'admin.user.unlocked',
  deactivateUser: 'admin.user.deactivated',
  reactivateUser: 'admin.user.reactivated',
  resetUserMfa: 'admin.user.mfa.reset',
  addUserEmail: 'admin.user-email.added',
  deleteUserEmail: 'admin.user-email.removed',
  finishOAuth2Session: 'admin.session.finished',
  addUserRegistrationToken: 'admin.registration-token.created',
  updateUserRegistrationToken: 'admin.registration-token.updated',
  revokeUserRegistrationToken: 'admin.registration-token.revoked',
  unrevokeUserRegistrationToken: 'admin.registration-token.unrevoked',
  createPersonalSession: 'admin.personal-session.created',
  revokePersonalSession: 'admin.personal-session.revoked',
  regeneratePersonalSession: 'admin.personal-session.regenerated',
  finishCompatSession: 'admin.compat-session.finished',
  finishUserSession: 'admin.user-session.finished',
  addUpstreamOAuthLink: 'admin.upstream-oauth-link.added',
  deleteUpstreamOAuthLink: 'admin.upstream-oauth-link.removed',
};

export const AUDIT_UNAVAILABLE = 'The audit log is unavailable; nothing was changed';

/** Whether an operation changes something, and is therefore audited fail-closed. */
export function isAudited(op: AdminOperation): boolean {
  return op.method !== 'get';
}

/** The operation as the OpenAPI document shows it: a changing one also answers 503 without the audit log. */
export function withAuditResponses(op: AdminOperation): AdminOperation {
  if (!isAudited(op)) return op;
  const existing = op.responses[503];
  const description =
    existing === undefined
      ? 'The audit log could not be written; nothing was changed.'
      : `${existing.description} Also when the audit log could not be written (nothing was changed).`;
  return { ...op, responses: { ...op.responses, 503: { description, schema: errorSchema } } };
}

/**
 * Audits every changing admin API call, fail-closed, without the controllers doing anything: it acts on
 * the handlers marked `@Operation(...)` (any resource added later included). After the guard and the
 * input check, an `attempted` event is written; if it cannot be, the answer is 503 and the handler never
 * runs. The outcome (succeeded, or failed with its status) follows the handler as a second event.
 */
@Injectable()
export class AdminAuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('admin-api');

  constructor(
    private readonly reflector: Reflector,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const op = this.reflector.get<AdminOperation | undefined>(ADMIN_OPERATION, context.getHandler());
    if (op === undefined || !isAudited(op)) return next.handle();
    const req = context.switchToHttp().getRequest<FastifyRequest & { user?: AdminCaller }>();
    // A request the handler would refuse as invalid changes nothing: it is answered 400 unrecorded.
    const input = parseInput(op, req);
    const params = input.params;
    const base = {
      type: EVENT_OF[op.operationId] ?? ('admin.request' as const),
      actor: actorOf(req.user),
      subject: typeof params['id'] === 'string' ? params['id'] : null,
      origin: originOf(req),
    };
    const details = { operation: op.operationId, ...bodyFacts(input.body) };
    let attemptId: string;
    try {
      attemptId = (await this.audit.record({ ...base, outcome: 'attempted', details })).id;
    } catch (err) {
      this.logger.error({
        msg: 'admin change refused: the audit log could not be written',
        operation: op.operationId,
        reason: err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err),
      });
      throw new AdminApiError(503, AUDIT_UNAVAILABLE);
    }
    const outcome = (succeeded: boolean, status: number, subject: string | null) =>
      // The change is made: a failure to record its outcome is logged, the answer still goes out.
      this.audit.note({
        ...base,
        subject: subject ?? base.subject,
        outcome: succeeded ? 'succeeded' : 'failed',
        details: { ...details, attempt: attemptId, status },
      });
    return next.handle().pipe(
      concatMap((value: unknown) =>
        from(outcome(true, successStatus(op), createdId(value))).pipe(map(() => value)),
      ),
      catchError((err: unknown) =>
        from(outcome(false, err instanceof AdminApiError ? err.status : 500, null)).pipe(
          concatMap(() => throwError(() => err)),
        ),
      ),
    );
  }
}

function actorOf(caller: AdminCaller | undefined): AuditActor {
  if (caller?.kind === 'user') return { kind: 'user', id: caller.userId };
  if (caller?.kind === 'client') return { kind: 'client', id: caller.clientId };
  return { kind: 'anonymous' };
}

/**
 * What of the body is worth keeping: the flags (`admin`, `skip_erase`…), a new user's name, and which
 * other fields were given, never their values (a password, a token).
 */
function bodyFacts(body: unknown): AuditDetails {
  if (typeof body !== 'object' || body === null) return {};
  const facts: Record<string, string | boolean> = {};
  const given: string[] = [];
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'boolean') facts[key] = value;
    else if (key === 'username' && typeof value === 'string') facts[key] = value;
    else given.push(key);
  }
  return given.length === 0 ? facts : { ...facts, fields: given.sort().join(',') };
}

/** The id of what a creating call made (`{data: {id}}`), to be the outcome's subject. */
function createdId(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || !('data' in value)) return null;
  const data = value.data;
  if (typeof data !== 'object' || data === null || !('id' in data)) return null;
  const id = data.id;
  return typeof id === 'string' ? id : null;
}

function successStatus(op: AdminOperation): number {
  return Number(Object.keys(op.responses).find((s) => Number(s) >= 200 && Number(s) < 300) ?? 200);
}
