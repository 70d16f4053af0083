export { FakeLiveKit, type CreateRoomCall } from './fake-livekit';
export { freePort } from './free-port';
export { BUILD_SCRIPT, synapseChroot } from './synapse/chroot';
export { homeserverConfig, REGISTRATION_SECRET, type SynapseOptions } from './synapse/homeserver-config';
export { startSynapse, type RegisteredUser, type Synapse } from './synapse/synapse';
export { adminDatabaseUrl, createTestDatabase, type TestDatabase } from './test-database';
export { createTestRedis, testRedisUrl, type TestRedis } from './test-redis';
