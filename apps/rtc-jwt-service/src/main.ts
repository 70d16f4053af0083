import { runService } from '@gateway/server';
import { AppModule } from './app.module';
import { rtcAppOptions } from './http/app-options';
import { loadRtcConfig } from './config';

runService('rtc-jwt-service', () => {
  const config = loadRtcConfig(process.env);
  return { module: AppModule.forRoot(config), options: rtcAppOptions(config) };
});
