export { ConfigError } from './config-error';
export {
  anyUrl,
  bindAddress,
  boolean,
  cidrList,
  commaList,
  httpUrl,
  integer,
  logLevel,
  optionalBindAddress,
  LOG_LEVELS,
  parseBindAddress,
  parseCidr,
  parseLogLevel,
  type BindAddress,
  type LogLevel,
} from './fields';
export { readEnv, type Env, type ReadEnvOptions } from './read-env';
export { z } from 'zod';
