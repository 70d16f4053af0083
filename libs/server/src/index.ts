export { AdminApiError, AdminApiErrorFilter } from './admin/admin-error';
export { ADMIN_INTROSPECTION, AdminGuard, AdminGuardModule } from './admin/admin-guard';
export {
  ADMIN_SCOPE,
  AdminIntrospection,
  type AdminIntrospectionConfig,
  type AdminIntrospectionOptions,
} from './admin/admin-introspection';
export { createApp, runService, startApp, type AppOptions, type RunningApp } from './bootstrap';
export { toErrorResponse, type ErrorResponse } from './error-response';
export { Lifecycle } from './lifecycle';
export { appLog, createLogger, JsonLogger, pinoLog, silentLog, type Log, type LogFields } from './logger';
export { MatrixExceptionFilter } from './matrix-exception.filter';
export { Metrics } from './metrics';
export { MetricsListener, type InternalRoutes } from './metrics-listener';
export { Readiness, type ReadinessCheck, type ReadinessReport } from './readiness';
export { ServerModule } from './server.module';
export { dependency, DependenciesModule, type Dependency } from './dependencies.module';
