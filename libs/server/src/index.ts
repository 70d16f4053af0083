export { createApp, runService, startApp, type AppOptions, type RunningApp } from './bootstrap';
export { toErrorResponse, type ErrorResponse } from './error-response';
export { Lifecycle } from './lifecycle';
export { createLogger, JsonLogger } from './logger';
export { MatrixExceptionFilter } from './matrix-exception.filter';
export { Metrics } from './metrics';
export { Readiness, type ReadinessCheck, type ReadinessReport } from './readiness';
export { ServerModule } from './server.module';
export { dependency, DependenciesModule, type Dependency } from './dependencies.module';
