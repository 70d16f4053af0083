import { Module } from '@nestjs/common';
import { ServerModule } from '@gateway/server';

/**
 * Nest brings what every service has (health, readiness, metrics, graceful shutdown, JSON logs); the
 * dashboard's own routes are Fastify routes registered in fastify-setup.ts.
 */
@Module({ imports: [ServerModule] })
export class AppModule {}
