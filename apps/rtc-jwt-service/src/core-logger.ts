import { Logger } from '@nestjs/common';
import type { CoreLogger } from './core';

/** The framework-free core's logger, written through Nest's logger and so as the service's JSON lines. */
export function coreLogger(context: string): CoreLogger {
  const logger = new Logger(context);
  return {
    warn: (fields, message) => {
      logger.warn({ msg: message, ...fields });
    },
    debug: (fields, message) => {
      logger.debug({ msg: message, ...fields });
    },
  };
}
