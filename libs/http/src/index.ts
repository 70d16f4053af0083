export { expandIpv6, isForbiddenAddress } from './forbidden-addresses';
export {
  SsrfGuard,
  SsrfRefusedError,
  systemResolveAddresses,
  type ConnectPolicy,
  type ResolveAddresses,
  type ResolvedAddress,
  type SsrfGuardOptions,
} from './ssrf-guard';
export { describeError, UpstreamError, type UpstreamErrorKind } from './upstream-error';
export {
  expectOk,
  readCappedText,
  upstreamJson,
  upstreamStatus,
  upstreamText,
  type TargetGuard,
  type UpstreamRequest,
  type UpstreamResponse,
} from './upstream-fetch';
