import {
  Controller,
  Get,
  Header,
  Module,
  Query,
  UseFilters,
  UseGuards,
  type DynamicModule,
} from '@nestjs/common';
import {
  AdminApiErrorFilter,
  AdminGuard,
  AdminGuardModule,
  type AdminIntrospectionConfig,
} from '@gateway/server';
import { SyncStore } from '@gateway/sync-data';
import { listConnections, listPollers } from './admin-views';

/**
 * The admin API (`GET /admin/v1/pollers`, `/admin/v1/connections`): what the admin dashboard's Sync page
 * shows, read from Postgres so any replica answers for all. Served only on the internal listener
 * (SYNCV3_PROM, see app-options.ts); every request's token is checked at the auth service.
 */
@Controller('admin/v1')
@UseGuards(AdminGuard)
@UseFilters(AdminApiErrorFilter)
class SyncAdminController {
  constructor(private readonly store: SyncStore) {}

  @Get('pollers')
  @Header('Cache-Control', 'no-store')
  pollers(@Query() query: unknown) {
    return listPollers(this.store, query);
  }

  @Get('connections')
  @Header('Cache-Control', 'no-store')
  connections(@Query() query: unknown) {
    return listConnections(this.store, query);
  }
}

@Module({})
export class AdminModule {
  static forRoot(auth: AdminIntrospectionConfig): DynamicModule {
    return {
      module: AdminModule,
      imports: [AdminGuardModule.forRoot(auth)],
      controllers: [SyncAdminController],
    };
  }
}
