export {
  cliMain,
  createProgress,
  migrateCommand,
  processIo,
  runCli,
  type CliArgs,
  type CliCommand,
  type CliContext,
  type CliDefinition,
  type CliIo,
  type Progress,
} from './cli';
export { systemClock, type Clock } from './clock';
export {
  arrayField,
  arrayValue,
  booleanField,
  hasUnstorableText,
  countField,
  isJsonObject,
  nonEmptyStringField,
  numberField,
  objectField,
  ownField,
  stringField,
  stringsField,
  type JsonObject,
} from './json-guards';
export { LruCache } from './lru-cache';
export {
  assertValidRule,
  MemoryRateLimiter,
  perPeriod,
  takeFromBucket,
  type MemoryRateLimiterOptions,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitRule,
} from './rate-limit';
export {
  createRateLimiter,
  RedisRateLimiter,
  type RedisRateLimiterOptions,
  type RedisScriptRunner,
} from './rate-limit-redis';
export { redactSecrets, redactUrl } from './redact';
export { SealedBox } from './sealed-box';
export { seededRandom } from './seeded-random';
export { Semaphore } from './semaphore';
export { SingleFlight, untilAborted } from './single-flight';
