import { AuthStore } from '@gateway/auth-data';
import type { DataSource } from '@gateway/db';
import { systemClock, type CliCommand, type CliContext } from '@gateway/util';
import type { AuthConfig } from '../config';
import { NO_ORIGIN, type AuditDetails, type CliEventType } from './audit-events';
import { AuditLog } from './audit-log';

type Ctx = CliContext<AuthConfig, DataSource>;
type Command = CliCommand<AuthConfig, DataSource>;

export interface CliAudit {
  type: CliEventType;
  /** What the command acts on, as given (a localpart); absent when that is a secret (a token). */
  subject?: (ctx: Ctx) => string | null;
  /** Facts from what the command's database work returned (the import's counts). */
  summarize?: (result: unknown) => AuditDetails;
}

export const AUDIT_UNAVAILABLE_CLI = 'the audit log could not be written; nothing was changed';

/**
 * The command, audited fail-closed: when it first opens the database, an `attempted` event is written
 * before its work runs; if that fails the command stops there (exit 1, nothing changed). Its outcome
 * (its exit code, or the error) follows as a second event. Option names are kept, never their values
 * (`--password`, `--token`).
 */
export function audited(command: Command, audit: CliAudit): Command {
  return {
    ...command,
    run: (ctx) => {
      let recorded = false;
      const withDatabase = <T>(fn: (db: DataSource) => Promise<T>): Promise<T> =>
        ctx.withDatabase(async (db) => {
          if (recorded) return fn(db);
          recorded = true;
          const log = new AuditLog(new AuthStore(db).auditEvents, systemClock);
          const base = {
            type: audit.type,
            actor: { kind: 'cli' } as const,
            subject: audit.subject?.(ctx) ?? null,
            origin: NO_ORIGIN,
          };
          const options = Object.keys(ctx.args.values)
            .filter((k) => ctx.args.values[k] !== undefined && ctx.args.values[k] !== false)
            .sort()
            .join(',');
          const details = { command: command.name, options };
          let attempt: string;
          try {
            attempt = (await log.record({ ...base, outcome: 'attempted', details })).id;
          } catch (err) {
            const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
            throw new Error(`${AUDIT_UNAVAILABLE_CLI}${cause}`);
          }
          try {
            const result = await fn(db);
            const code = typeof result === 'number' ? result : 0;
            await log.note({
              ...base,
              outcome: code === 0 ? 'succeeded' : 'failed',
              details: { ...details, attempt, exit: code, ...audit.summarize?.(result) },
            });
            return result;
          } catch (err) {
            await log.note({ ...base, outcome: 'failed', details: { ...details, attempt, exit: 1 } });
            throw err;
          }
        });
      return command.run({ ...ctx, withDatabase });
    },
  };
}
