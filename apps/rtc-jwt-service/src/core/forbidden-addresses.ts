// Shared with every service's SSRF guard; it lives in libs/http (libs/http/src/forbidden-addresses.ts).
export { expandIpv6, isForbiddenAddress } from '@gateway/http';
