import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import type { BindAddress } from '@gateway/config';
import type { Metrics } from './metrics';
import type { ClientErrorAnswers } from './request-timeouts';

/** Paths of the app served on the internal listener, and how to hand a request to the app. */
export interface InternalRoutes {
  /** Path prefixes (e.g. `/admin/`) handed to the app; the public port answers them 404. */
  prefixes: readonly string[];
  handle: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * `/metrics` on a listener of its own (MAS's internal listener, the Go proxy's SYNCV3_PROM), so scrapes
 * stay on an internal port while the public one faces the internet; the public port never serves it.
 * An app's internal routes (its admin endpoints) are served here too, by the app itself.
 */
export class MetricsListener {
  private server: Server | undefined;
  /** The bound port once started (the configured one, or the one picked for port 0). */
  port: number | undefined;

  constructor(
    private readonly bind: BindAddress,
    private readonly metrics: Metrics,
    /** The public port's request, headers and keep-alive timeouts, and its answers when they run out. */
    private readonly timeouts: { options: ServerOptions; clientErrors: ClientErrorAnswers },
    private readonly internal?: InternalRoutes,
  ) {}

  async start(): Promise<number> {
    const server = createServer(this.timeouts.options, (req, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (this.internal?.prefixes.some((p) => path.startsWith(p))) {
        this.internal.handle(req, res);
        return;
      }
      if (path !== '/metrics' || req.method !== 'GET') {
        res.writeHead(404).end();
        return;
      }
      this.metrics.registry.metrics().then(
        (body) =>
          res
            .writeHead(200, {
              'Content-Type': this.metrics.registry.contentType,
              'Cache-Control': 'no-store',
            })
            .end(body),
        () => res.writeHead(500).end(),
      );
    });
    this.timeouts.clientErrors.track(server);
    server.on('clientError', this.timeouts.clientErrors.handle);
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
