import { createServer, type Server } from 'node:http';
import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { BindAddress } from '@gateway/config';
import type { Metrics } from '@gateway/server';

/**
 * SYNCV3_PROM: metrics on a listener of their own, as the Go proxy offered, so scrapes can stay on an
 * internal port when the main one faces the internet.
 */
export class PrometheusListener implements OnModuleInit, OnApplicationShutdown {
  private server: Server | undefined;

  constructor(
    private readonly bind: BindAddress,
    private readonly metrics: Metrics,
  ) {}

  async onModuleInit(): Promise<void> {
    const server = createServer((req, res) => {
      if ((req.url ?? '').split('?')[0] !== '/metrics' || req.method !== 'GET') {
        res.writeHead(404).end();
        return;
      }
      this.metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType }).end(body),
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
    new Logger('metrics').log({ msg: 'metrics listener', host: this.bind.host, port: this.bind.port });
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }
}
