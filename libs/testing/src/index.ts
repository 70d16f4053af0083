export { freePort } from './free-port';
export { BUILD_SCRIPT, synapseChroot } from './synapse/chroot';
export { homeserverConfig, REGISTRATION_SECRET, type SynapseOptions } from './synapse/homeserver-config';
export { startSynapse, type RegisteredUser, type Synapse } from './synapse/synapse';
export { adminDatabaseUrl, createTestDatabase, type TestDatabase } from './test-database';
export { createTestRedis, testRedisUrl, type TestRedis } from './test-redis';
export {
  gatewaySynapseOptions,
  startGatewayStack,
  type GatewayStack,
  type GatewayStackOptions,
} from './stack/gateway-stack';
export {
  startService,
  stopService,
  waitHealthy,
  type RunningService,
  type ServiceOutput,
  type ServiceSpec,
} from './stack/services';
export { oauthAccessToken } from './oauth/access-token';
export { Browser, formAction, hiddenFields, hiddenInput } from './oauth/browser';
export { approve, approveDevice } from './oauth/sign-in';
