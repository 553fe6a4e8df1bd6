import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { type DatabaseOptions, dataSourceOptions, openDatabase } from './data-source';

/** TypeORM on the service's own database, created and migrated before the app takes traffic. */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(options),
          dataSourceFactory: async () => openDatabase(options),
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}
