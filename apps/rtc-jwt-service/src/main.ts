import { runService } from '@gateway/server';
import { AppModule } from './app.module';
import { loadRtcConfig } from './config';

runService('rtc-jwt-service', () => {
  const config = loadRtcConfig(process.env);
  return {
    module: AppModule.forRoot(config),
    options: {
      name: 'rtc-jwt-service',
      logLevel: config.logLevel,
      bind: config.bind,
      warnings: config.warnings,
    },
  };
});
