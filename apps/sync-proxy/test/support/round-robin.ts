import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A load balancer that sends each request to the next backend in turn, as an ingress without affinity. */
export interface RoundRobin {
  url: string;
  /** Backend index each request went to, in order. */
  hits: number[];
  close: () => Promise<void>;
}

export async function roundRobin(backends: () => readonly string[]): Promise<RoundRobin> {
  let next = 0;
  const hits: number[] = [];
  const server: Server = createServer((req, res) => {
    const list = backends();
    const index = next++ % list.length;
    hits.push(index);
    const target = new URL(req.url ?? '/', list[index]);
    const upstream = request(target, { method: req.method, headers: req.headers, agent: false }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
