import { createServer, type Server } from 'node:http';
import type { BindAddress } from '@gateway/config';
import type { Metrics } from './metrics';

/**
 * `/metrics` on a listener of its own (MAS's internal listener, the Go proxy's SYNCV3_PROM), so scrapes
 * stay on an internal port while the public one faces the internet; the public port never serves it.
 */
export class MetricsListener {
  private server: Server | undefined;
  /** The bound port once started (the configured one, or the one picked for port 0). */
  port: number | undefined;

  constructor(
    private readonly bind: BindAddress,
    private readonly metrics: Metrics,
  ) {}

  async start(): Promise<number> {
    const server = createServer((req, res) => {
      if ((req.url ?? '').split('?')[0] !== '/metrics' || req.method !== 'GET') {
        res.writeHead(404).end();
        return;
      }
      this.metrics.registry.metrics().then(
        (body) =>
          res
            .writeHead(200, { 'Content-Type': this.metrics.registry.contentType, 'Cache-Control': 'no-store' })
            .end(body),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.bind.port, this.bind.host, () => {
        resolve();
      });
    });
    this.server = server;
    const address = server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : this.bind.port;
    return this.port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }
}
