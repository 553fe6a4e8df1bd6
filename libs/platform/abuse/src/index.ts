export { clientOf } from './client-of';
export { FailureLimiter, type FailureLimiterOptions } from './failure-limiter';
