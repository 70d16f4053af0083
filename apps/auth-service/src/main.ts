import { runService } from '@gateway/server';
import { AppModule } from './app.module';
import { authAppOptions } from './app-options';
import { loadAuthConfig } from './config';

runService('auth-service', () => {
  const config = loadAuthConfig(process.env);
  return { module: AppModule.forRoot(config), options: authAppOptions(config) };
});
