import type { IncomingMessage } from 'node:http';

/**
 * The client address Fastify resolved for a request (libs/server's trusted-proxy model), kept for the
 * requests handed to oidc-provider, whose Koa context sees only the raw request and would take the
 * proxy's address for the client's.
 */
const addresses = new WeakMap<IncomingMessage, string>();

export function rememberClientAddress(raw: IncomingMessage, address: string): void {
  addresses.set(raw, address);
}

export function clientAddressOf(raw: IncomingMessage): string | null {
  return addresses.get(raw) ?? null;
}
