import { Logger as NestLogger, type LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import type { LogLevel } from '@gateway/config';
import { redactSecrets } from '@gateway/util';

/**
 * JSON logs on stdout. Request bodies, headers and query strings are never logged (they carry tokens);
 * the redaction list is a second line of defence for fields someone logs by mistake.
 */
export function createLogger(service: string, level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: [
          'access_token',
          '*.access_token',
          'token',
          '*.token',
          'password',
          '*.password',
          'secret',
          '*.secret',
          'authorization',
          '*.authorization',
          'headers.authorization',
          'jwt',
          '*.jwt',
          'refresh_token',
          '*.refresh_token',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** Adapts pino to Nest's LoggerService so framework messages come out as the same JSON lines. */
export class JsonLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    this.write('error', message, context ?? stackOrContext);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: pino.Level, message: unknown, context?: string): void {
    if (message instanceof Error)
      this.logger[level]({ context, err: message }, redactSecrets(message.message));
    else if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message });
    else this.logger[level]({ context }, redactSecrets(String(message)));
  }
}

export type LogFields = Record<string, unknown>;

/**
 * The one logging port of the workspace: pino's object-first call shape, so code that is not a Nest
 * provider (engines, clients, CLI commands) logs the same JSON lines as the framework. Bindings given to
 * `child` are repeated on every line of that child. An `err` field holding an Error is reduced to its name,
 * message (credentials redacted) and code; other fields go through pino's redaction paths above.
 */
export interface Log {
  trace(fields: LogFields, msg: string): void;
  debug(fields: LogFields, msg: string): void;
  info(fields: LogFields, msg: string): void;
  warn(fields: LogFields, msg: string): void;
  error(fields: LogFields, msg: string): void;
  child(bindings: LogFields): Log;
}

type Sink = (level: pino.Level, fields: LogFields, msg: string) => void;

function logOver(sink: Sink, bindings: LogFields): Log {
  const at =
    (level: pino.Level) =>
    (fields: LogFields, msg: string): void => {
      sink(level, { ...bindings, ...safeFields(fields) }, redactSecrets(msg));
    };
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => logOver(sink, { ...bindings, ...more }),
  };
}

function safeFields(fields: LogFields): LogFields {
  const err = fields['err'];
  if (!(err instanceof Error)) return fields;
  const code = (err as { code?: unknown }).code;
  return {
    ...fields,
    err: { name: err.name, message: redactSecrets(err.message), ...(code === undefined ? {} : { code }) },
  };
}

/**
 * A logger for `context` (the `context` field of each line) written through Nest's Logger, so it follows
 * the app's level and destination set up by `createApp`, and works in code constructed before the app.
 */
export function appLog(context: string, bindings: LogFields = {}): Log {
  const nest = new NestLogger(context);
  const method = {
    trace: 'verbose',
    debug: 'debug',
    info: 'log',
    warn: 'warn',
    error: 'error',
    fatal: 'fatal',
  } as const satisfies Record<pino.Level, keyof NestLogger>;
  return logOver((level, fields, msg) => {
    nest[method[level]]({ msg, ...fields });
  }, bindings);
}

/** The same port over a pino logger directly (CLI commands, or code handed `RunningApp.logger`). */
export function pinoLog(logger: Logger, bindings: LogFields = {}): Log {
  return logOver((level, fields, msg) => {
    logger[level](fields, msg);
  }, bindings);
}

/** Discards everything: the default for optional loggers in library-style classes and unit tests. */
export const silentLog: Log = logOver(() => undefined, {});
