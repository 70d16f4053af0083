export {
  FakeHomeserver,
  MALFORMED_JSON,
  type ContextRecord,
  type FakeHomeserverOptions,
  type RecordedRequest,
  type ScriptedReply,
  type ScriptHandler,
  type SyncRecord,
  type SyncReply,
} from './fake-homeserver/fake-homeserver';
export { TEST_TLS_CERT, TEST_TLS_KEY } from './fake-homeserver/test-tls';
export {
  createRoomState,
  joinedRoom,
  message,
  newRoomId,
  newUser,
  stateEvent,
  syncResponse,
  toDeviceMessage,
  uniqueId,
  type V2Event,
  type V2JoinedRoom,
  type V2SyncResponse,
} from './fake-homeserver/v2-builders';
export { FakeLiveKit, LIVEKIT_FAULTS, type CreateRoomCall, type TwirpFault } from './fake-livekit';
export { freePort } from './free-port';
export { BUILD_SCRIPT, synapseChroot } from './synapse/chroot';
export { homeserverConfig, REGISTRATION_SECRET, type SynapseOptions } from './synapse/homeserver-config';
export { SYNAPSE_AUTH_SCHEMA } from './synapse/synapse-auth-schema';
export { startSynapse, type RegisteredUser, type Synapse } from './synapse/synapse';
export { adminDatabaseUrl, createTestDatabase, queryRows, type TestDatabase } from './test-database';
export { createTestRedis, testRedisUrl, type TestRedis } from './test-redis';
export {
  DASHBOARD_CLIENT_ID,
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
export {
  signInUpstream,
  signOutUpstream,
  startUpstreamProvider,
  type UpstreamAccount,
  type UpstreamProvider,
  type UpstreamProviderOptions,
} from './oauth/upstream-provider';
export {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  chromiumInstalled,
  launchChromium,
  type TestBrowser,
  type WatchedPage,
} from './browser/chromium';
export {
  deeplyNested,
  mutateJson,
  mutateText,
  randomString,
  randomValue,
  setOwn,
  type Next,
} from './fuzz/json-mutations';
export { below, mutateString, pick, randomText } from './fuzz/text-mutations';
export { fuzzBody, type BodyExample, type FuzzBody } from './fuzz/fuzz-bodies';
export {
  BODYLESS_METHODS,
  errorLogLines,
  LogScanner,
  fuzzBodyCount,
  fuzzEndpoint,
  fuzzSeed,
  uncoveredRoutes,
  writeFuzzSummary,
  type FuzzAnswer,
  type FuzzOptions,
  type FuzzResult,
  type FuzzTarget,
  type RegisteredRoute,
} from './fuzz/fuzz-endpoint';
export { runFuzzTier, type FuzzTierOptions } from './fuzz/fuzz-tier';
export { withRouteLog } from './fuzz/route-log';
