export { startHttpService, type HttpServiceOptions } from './bootstrap';
export { assertUnreachable, DomainError } from './domain-error';
export { ErrorFilter } from './error.filter';
export { healthEndpoints } from './health-endpoints';
export {
  BEARER_CHALLENGE,
  commonHttpError,
  type CommonHttpErrorOptions,
  domainAnswer,
  type HttpError,
  httpErrorMapper,
  retryAfterHeader,
} from './common-http-error';
export {
  frameworkRefusal,
  type HttpLayerErrorCode,
  type HttpRefusal,
  refusalBody,
  refusalOfStatus,
  sendRefusal,
  unmatchedRouteRefusal,
} from './http-errors';
export { HealthController } from './health.controller';
export { loggerParams, REDACTED_PATHS, requestIdOf } from './logging';
export { ObservabilityModule, type ObservabilityOptions } from './observability.module';
export { READINESS_CHECKS, withTimeout, type ReadinessCheck } from './readiness';
export { ShutdownState } from './shutdown-state';
export { observeHttpRequest } from './http-metrics';
export {
  openApiDocument,
  renderOpenApi,
  serveOpenApi,
  writeOpenApi,
  type OpenApiInfo,
} from './openapi';
