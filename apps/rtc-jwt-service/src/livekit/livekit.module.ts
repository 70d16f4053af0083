import { Module } from '@nestjs/common';
import { WebhookReceiver } from 'livekit-server-sdk';
import { dependency, type Dependency } from '@gateway/server';
import type { RtcConfig } from '../config';
import { RTC_CONFIG } from '../tokens';
import { LiveKitRooms } from './livekit-rooms';

/**
 * LiveKitRooms is an app dependency (built once, probed by `/ready`), so AppModule hands this to
 * libs/server's DependenciesModule, which provides it to every module.
 */
export function liveKitDependency(livekit: RtcConfig['livekit']): Dependency {
  return dependency({
    provide: LiveKitRooms,
    name: 'livekit',
    create: () => new LiveKitRooms(livekit.url, livekit.key, livekit.secret),
    ping: (rooms) => rooms.ping(),
    close: () => undefined,
  });
}

/** Checks the signature of LiveKit's webhooks with the same key and secret. */
@Module({
  exports: [WebhookReceiver],
  providers: [
    {
      provide: WebhookReceiver,
      inject: [RTC_CONFIG],
      useFactory: (config: RtcConfig) => new WebhookReceiver(config.livekit.key, config.livekit.secret),
    },
  ],
})
export class LiveKitModule {}
