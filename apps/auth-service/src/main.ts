import { runService } from '@gateway/server';
import { AppModule } from './app.module';
import { loadAuthConfig } from './config';

runService('auth-service', () => {
  const config = loadAuthConfig(process.env);
  return {
    module: AppModule.forRoot(config),
    options: { name: 'auth-service', logLevel: config.logLevel, bind: config.bind },
  };
});
