import { runService } from '@gateway/server';
import { AppModule } from './app.module';
import { loadSyncConfig } from './config';

runService('sync-proxy', () => {
  const config = loadSyncConfig(process.env);
  return {
    module: AppModule.forRoot(config),
    options: { name: 'sync-proxy', logLevel: config.logLevel, bind: config.bind, warnings: config.warnings },
  };
});
