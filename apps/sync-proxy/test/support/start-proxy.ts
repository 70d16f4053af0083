import { PassThrough } from 'node:stream';
import { startApp, type RunningApp } from '@gateway/server';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';
import { AppModule } from '../../src/app.module';
import { loadSyncConfig } from '../../src/config';

export interface ProxyUnderTest extends RunningApp {
  logs: () => string;
  stop: () => Promise<void>;
}

/** Boots the real app in-process in front of `upstream`, on its own database. */
export async function startProxy(
  upstream: string,
  env: Record<string, string> = {},
): Promise<ProxyUnderTest> {
  const db: TestDatabase = await createTestDatabase();
  const config = loadSyncConfig({
    SYNCV3_SERVER: upstream,
    SYNCV3_DB: db.url,
    SYNCV3_SECRET: 'test-secret',
    SYNCV3_BINDADDR: '127.0.0.1:0',
    ...env,
  });
  let logs = '';
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  const running = await startApp(AppModule.forRoot(config), {
    name: 'sync-proxy',
    logLevel: 'debug',
    bind: config.bind,
    logDestination: stream,
  });
  return {
    ...running,
    logs: () => logs,
    stop: async () => {
      await running.app.close();
      await db.drop();
    },
  };
}
