import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FREE_PORT_RANGE, freePort, workerSlice } from './free-port';

const ephemeralLow = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
);

const listen = (port: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve(server);
    });
  });

describe('freePort', () => {
  it('picks ports below the range the kernel gives client sockets, none twice, each bindable', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 40; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(ephemeralLow);
      // This worker's slice (free-port.ts: workerSlice).
      expect(port).toBeGreaterThanOrEqual(FREE_PORT_RANGE.low);
      expect(port).toBeLessThan(FREE_PORT_RANGE.high);
    }
    const servers = await Promise.all(ports.map(listen));
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  });

  it('skips a port another listener holds', async () => {
    // Hold many ports of the range, then every pick must avoid them.
    const held: Server[] = [];
    const heldPorts = new Set<number>();
    for (let p = FREE_PORT_RANGE.low; p < FREE_PORT_RANGE.low + 400; p++) {
      try {
        held.push(await listen(p));
        heldPorts.add(p);
      } catch {
        // already in use by someone else: it is held either way
      }
    }
    try {
      for (let i = 0; i < 100; i++) expect(heldPorts.has(await freePort())).toBe(false);
    } finally {
      await Promise.all(held.map((s) => new Promise((done) => s.close(done))));
    }
  });

  it("gives Vitest's workers separate slices of the range, so files running at once never share a port", () => {
    const range = { low: 20_000, high: 32_768 };
    const slices = ['1', '2', '3', '4'].map((worker) => workerSlice(range, worker));
    for (const [i, slice] of slices.entries()) {
      expect(slice.low).toBeGreaterThanOrEqual(range.low);
      expect(slice.high).toBeLessThanOrEqual(range.high);
      expect(slice.high - slice.low).toBeGreaterThanOrEqual(1_000);
      for (const other of slices.slice(i + 1))
        expect(slice.high <= other.low || other.high <= slice.low).toBe(true);
    }
    // A fifth worker shares the first one's slice; outside Vitest, or with a range too small to cut, all of it.
    expect(workerSlice(range, '5')).toEqual(slices[0]);
    expect(workerSlice(range, undefined)).toEqual(range);
    expect(workerSlice(range, 'x')).toEqual(range);
    expect(workerSlice({ low: 20_000, high: 23_000 }, '2')).toEqual({ low: 20_000, high: 23_000 });
  });
});
