import { Module, type DynamicModule } from '@nestjs/common';
import { AdminGuardModule, type AdminIntrospectionConfig } from '@gateway/server';
import { RoomsAdminController } from './rooms-admin.controller';

/** The admin API (RTC_ADMIN_*), mounted only when configured; LiveKitRooms comes from DependenciesModule. */
@Module({})
export class AdminModule {
  static forRoot(config: AdminIntrospectionConfig): DynamicModule {
    return {
      module: AdminModule,
      imports: [AdminGuardModule.forRoot(config)],
      controllers: [RoomsAdminController],
    };
  }
}
