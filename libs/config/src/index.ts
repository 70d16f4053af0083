export { ConfigError } from './config-error';
export {
  anyUrl,
  bindAddress,
  boolean,
  commaList,
  httpUrl,
  integer,
  logLevel,
  LOG_LEVELS,
  parseBindAddress,
  parseLogLevel,
  type BindAddress,
  type LogLevel,
} from './fields';
export { readEnv, type Env, type ReadEnvOptions } from './read-env';
export { z } from 'zod';
