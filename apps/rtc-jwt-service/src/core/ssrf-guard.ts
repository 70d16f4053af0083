// The guard is shared by every service's outbound calls; it lives in libs/http (libs/http/src/ssrf-guard.ts).
export {
  SsrfGuard,
  SsrfRefusedError,
  systemResolveAddresses,
  type ConnectPolicy,
  type ResolveAddresses,
  type ResolvedAddress,
  type SsrfGuardOptions,
} from '@gateway/http';
