import { Module, type DynamicModule } from '@nestjs/common';
import { ServerModule } from '@gateway/server';
import type { RtcConfig } from './config';

@Module({})
export class AppModule {
  static forRoot(_config: RtcConfig): DynamicModule {
    return { module: AppModule, imports: [ServerModule] };
  }
}
