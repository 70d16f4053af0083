import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports the kernel gives to outgoing connections (Linux: `net.ipv4.ip_local_port_range`, see ip-sysctl in
 * the kernel's documentation). A port picked inside this range can be taken by any client socket between
 * the pick and the service's bind: a contract test saw `EADDRINUSE` that way. Picking below it leaves
 * only other listeners as rivals, and the bind check below sees those.
 */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const LOW = 20_000;
const HIGH = Math.min(ephemeralLow(), 65_536);
/** Handed out by this process already: two callers in one test never get the same port. */
const given = new Set<number>();

function tryBind(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => {
      resolve(undefined);
    });
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => {
        resolve(bound);
      });
    });
  });
}

/**
 * A loopback port that was free a moment ago and is outside the range the kernel hands to client sockets,
 * so only another listener can take it before the caller binds it. Falls back to a port the OS picks where
 * the range below the ephemeral one is too small to choose from.
 */
export async function freePort(): Promise<number> {
  if (HIGH - LOW >= 1_000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const candidate = LOW + Math.floor(Math.random() * (HIGH - LOW));
      if (given.has(candidate)) continue;
      if ((await tryBind(candidate)) === candidate) {
        given.add(candidate);
        return candidate;
      }
    }
  }
  const port = await tryBind(0);
  if (port === undefined) throw new Error('freePort: could not bind a loopback port');
  given.add(port);
  return port;
}
