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

export interface PortRange {
  low: number;
  /** Exclusive. */
  high: number;
}

const SLICES = 4;

/**
 * The part of `range` that Vitest's worker number `worker` (`VITEST_POOL_ID`, 1 … maxWorkers) picks from:
 * the workers of one run take separate slices, so two test files running at once never get the same
 * port. Outside Vitest, or where a slice would be too small, the whole range.
 */
export function workerSlice(range: PortRange, worker: string | undefined): PortRange {
  const id = Number(worker);
  const width = Math.floor((range.high - range.low) / SLICES);
  if (worker === undefined || !Number.isInteger(id) || id < 1 || width < 1_000) return range;
  const low = range.low + ((id - 1) % SLICES) * width;
  return { low, high: low + width };
}

/** Where this process picks ports: below the ephemeral range, in its worker's slice. */
export const FREE_PORT_RANGE = workerSlice(
  { low: 20_000, high: Math.min(ephemeralLow(), 65_536) },
  process.env['VITEST_POOL_ID'],
);
const { low: LOW, high: HIGH } = FREE_PORT_RANGE;
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
