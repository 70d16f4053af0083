import { Injectable, type OnModuleDestroy } from '@nestjs/common';

/**
 * Set when shutdown begins (SIGTERM, or `app.close()`, whose first step is onModuleDestroy), so
 * handlers can refuse new work (503) and responses can close their keep-alive connections while
 * in-flight requests finish.
 */
@Injectable()
export class Lifecycle implements OnModuleDestroy {
  private stopping = false;

  get shuttingDown(): boolean {
    return this.stopping;
  }

  beginShutdown(): void {
    this.stopping = true;
  }

  onModuleDestroy(): void {
    this.stopping = true;
  }
}
