import {
  Inject,
  Injectable,
  Logger,
  Module,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  AdminIntrospection,
  type AdminIntrospectionConfig,
  type AdminIntrospectionOptions,
} from './admin-introspection';

export const ADMIN_INTROSPECTION = Symbol('ADMIN_INTROSPECTION');

/**
 * Guards a service's admin controllers: the request's Bearer token must be an admin token of the auth
 * service (AdminIntrospection). Refusals are AdminApiErrors; put `@UseFilters(AdminApiErrorFilter)` on
 * the controller so they are answered in the admin API's shape (401, 403, or 503 when the auth service
 * cannot answer).
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(ADMIN_INTROSPECTION) private readonly introspection: AdminIntrospection) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    await this.introspection.check(request.headers.authorization);
    return true;
  }
}

/** Provides AdminGuard for one service, asking the auth service as the given admin client. */
@Module({})
export class AdminGuardModule {
  static forRoot(config: AdminIntrospectionConfig, options: AdminIntrospectionOptions = {}): DynamicModule {
    const logger = new Logger('admin-guard');
    return {
      module: AdminGuardModule,
      providers: [
        {
          provide: ADMIN_INTROSPECTION,
          useFactory: () =>
            new AdminIntrospection(config, {
              onUnavailable: (reason) => {
                logger.warn(`admin token not checked: ${reason}`);
              },
              ...options,
            }),
        },
        AdminGuard,
      ],
      exports: [ADMIN_INTROSPECTION, AdminGuard],
    };
  }
}
