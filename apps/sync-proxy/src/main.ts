import { runService } from '@gateway/server';
import { AppModule } from './app.module';
import { syncAppOptions } from './app-options';
import { loadSyncConfig } from './config';

runService('sync-proxy', () => {
  const config = loadSyncConfig(process.env);
  return {
    module: AppModule.forRoot(config),
    options: syncAppOptions(config),
  };
});
