import { Logger } from '@nestjs/common';

/** The one logging port the framework-free parts use; the app passes a Nest logger behind it. */
export interface Log {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
}

export function nestLog(context: string): Log {
  const logger = new Logger(context);
  return {
    info: (fields, msg) => {
      logger.log({ msg, ...fields });
    },
    warn: (fields, msg) => {
      logger.warn({
        msg,
        ...fields,
        err: fields['err'] instanceof Error ? fields['err'].message : fields['err'],
      });
    },
  };
}
