import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './free-port';

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
    }
    const servers = await Promise.all(ports.map(listen));
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  });

  it('skips a port another listener holds', async () => {
    // Hold many ports of the range, then every pick must avoid them.
    const held: Server[] = [];
    const heldPorts = new Set<number>();
    for (let p = 20_000; p < 20_400; p++) {
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
});
