import { Module } from '@nestjs/common';
import { PresenceReporter } from './presence-reporter';
import { SlidingSyncModule } from '../sliding-sync/sliding-sync.module';
import { LEGACY_SYNC_PATH, STABLE_SYNC_PATH, SYNC_PATH, SyncController } from './sync.controller';
import { VERSIONS_PATH, VersionsController } from './versions.controller';

/** The paths the proxy answers itself; forwarding passes everything else to the homeserver. */
export const EDGE_PATHS = [SYNC_PATH, STABLE_SYNC_PATH, LEGACY_SYNC_PATH, VERSIONS_PATH];

/**
 * The client-facing endpoints: each sync protocol is a translation onto the one engine (MSC4186 as
 * parsed, MSC3575 through `Msc3575Translation`), and `/versions` advertises sliding sync.
 */
@Module({
  imports: [SlidingSyncModule],
  controllers: [SyncController, VersionsController],
  providers: [PresenceReporter],
})
export class EdgeModule {}
