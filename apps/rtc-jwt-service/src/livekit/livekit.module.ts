import { Module } from '@nestjs/common';
import { ServerError, WebhookReceiver } from 'livekit-server-sdk';
import { dependency, type Dependency } from '@gateway/server';
import type { RtcConfig } from '../config';
import { RTC_CONFIG } from '../tokens';
import { classifyLiveKitFailure } from './livekit-failure';
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
    // Reachability only: any Twirp answer, even a refusal, means LiveKit is there. Whether it accepts
    // our key is `/ready`'s `livekit-key` (checks/checks.module.ts), so the two faults read apart.
    ping: async (rooms) => {
      try {
        await rooms.ping();
      } catch (err) {
        if (!(err instanceof ServerError))
          throw new Error(`LiveKit at ${livekit.url}: ${classifyLiveKitFailure(err).text}`);
      }
      return `LiveKit at ${livekit.url} answers`;
    },
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
