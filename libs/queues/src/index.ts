export { type AuthJobPayloads, type JobPayload, type JobPayloads, type QueueName } from './jobs';
export { createQueue, createWorker, type CreateWorkerOptions, type QueueConnection } from './queue';
export { createRedis, pingRedis, redisDependency } from './redis';
