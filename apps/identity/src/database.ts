import { type DatabaseOptions } from '@keyway/platform-database';
import { type IdentityConfig } from './config';
import { IDENTITY_MIGRATIONS } from './migrations';

export function identityDatabase(config: IdentityConfig): DatabaseOptions {
  return {
    connection: config.postgres,
    entities: [],
    migrations: IDENTITY_MIGRATIONS,
    applicationName: 'keyway-identity',
  };
}
