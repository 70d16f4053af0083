import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import type { LogLevel } from '@gateway/config';

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
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message });
    else this.logger[level]({ context }, String(message));
  }
}
