export { DatabaseModule } from './database.module';
export {
  dataSourceOptions,
  openDatabase,
  runMigrationsLocked,
  type DatabaseOptions,
} from './data-source';
export { ensureDatabase } from './ensure-database';
