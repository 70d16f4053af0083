import { Module } from '@nestjs/common';
import { PresenceReporter } from './presence-reporter';
import { SlidingSyncModule } from '../sliding-sync/sliding-sync.module';
import { LEGACY_SYNC_PATH, STABLE_SYNC_PATH, SYNC_PATH, SyncController } from './sync.controller';
import { VERSIONS_PATH, VersionsController } from './versions.controller';
import { WELL_KNOWN_CLIENT_PATH } from './client-well-known';
import { WellKnownController } from './well-known.controller';
import { ThreadSubscriptionsController } from './thread-subscriptions.controller';
import { THREAD_SUBSCRIPTIONS_PATH } from '../sliding-sync/extensions/thread-subscriptions';

/** The paths the proxy answers itself; forwarding passes everything else to the homeserver. */
export const EDGE_PATHS = [
  SYNC_PATH,
  STABLE_SYNC_PATH,
  LEGACY_SYNC_PATH,
  VERSIONS_PATH,
  WELL_KNOWN_CLIENT_PATH,
  THREAD_SUBSCRIPTIONS_PATH,
];

/**
 * The client-facing endpoints: each sync protocol is a translation onto the one engine (MSC4186 as
 * parsed, MSC3575 through `Msc3575Translation`), `/versions` advertises sliding sync, and the client
 * well-known names this proxy as the homeserver. MSC4308's companion endpoint is the homeserver's, with
 * the proxy's `prev_batch`/`pos` tokens translated.
 */
@Module({
  imports: [SlidingSyncModule],
  controllers: [SyncController, VersionsController, WellKnownController, ThreadSubscriptionsController],
  providers: [PresenceReporter],
})
export class EdgeModule {}
