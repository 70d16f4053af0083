import type { AuditEvent, AuditEventRepository, AuditOutcome } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import {
  actorColumn,
  NO_ORIGIN,
  safeDetails,
  type AuditActor,
  type AuditDetails,
  type AuditEventType,
  type AuditOrigin,
} from './audit-events';

export interface AuditEntry {
  type: AuditEventType;
  outcome: AuditOutcome;
  actor: AuditActor;
  subject?: string | null;
  origin?: AuditOrigin;
  details?: AuditDetails;
}

/** The audit log could not be written: a fail-closed change must not go ahead. */
export class AuditUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the audit log could not be written', { cause });
    this.name = 'AuditUnavailableError';
  }
}

const MAX_USER_AGENT = 512;

/**
 * Writes audit events. Two ways, by what is at stake: `record` rejects with `AuditUnavailableError`
 * when the row cannot be written (admin and operator changes: no record, no change), `note` never
 * rejects and reports the failure (a person signing in must not be locked out by the audit table).
 */
export class AuditLog {
  constructor(
    private readonly events: AuditEventRepository,
    private readonly clock: Clock,
    private readonly onNoteFailed: (err: unknown, type: AuditEventType) => void = () => undefined,
  ) {}

  async record(entry: AuditEntry): Promise<AuditEvent> {
    const origin = entry.origin ?? NO_ORIGIN;
    try {
      return await this.events.record(
        {
          type: entry.type,
          outcome: entry.outcome,
          actor: actorColumn(entry.actor),
          actorKind: entry.actor.kind,
          subject: entry.subject ?? null,
          ip: origin.ip,
          userAgent: origin.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
          details: safeDetails(entry.details),
        },
        new Date(this.clock()),
      );
    } catch (err) {
      throw new AuditUnavailableError(err);
    }
  }

  async note(entry: AuditEntry): Promise<void> {
    try {
      await this.record(entry);
    } catch (err) {
      this.onNoteFailed(err instanceof AuditUnavailableError ? err.cause : err, entry.type);
    }
  }
}

/** The origin of a Fastify request: `ip` is libs/server's trusted-proxy client address. */
export function originOf(req: {
  ip: string;
  headers: Record<string, string | string[] | undefined>;
}): AuditOrigin {
  const agent = req.headers['user-agent'];
  return { ip: req.ip, userAgent: typeof agent === 'string' ? agent : null };
}
