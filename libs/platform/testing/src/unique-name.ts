import { randomBytes } from 'node:crypto';

/**
 * `<prefix>_<time>_<random>`, lower case: safe as a Postgres database, a Kafka topic or group id,
 * or a Redis key prefix, and unique across parallel Jest workers and runs.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`.toLowerCase();
}
