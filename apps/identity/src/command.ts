import 'reflect-metadata';
import { type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommanderError } from 'commander';
import { parseEnvOrExit } from '@keyway/platform-config';
import { DatabaseModule, openDatabase } from '@keyway/platform-database';
import { identityConfig, identityEnvSchema, resolvePepper, type IdentityConfig } from './config';
import { identityDatabase } from './database';
import { IdentityConfigModule } from './identity-config.module';
import { ProjectionRebuild } from './projections/projection-rebuild';
import { ProjectionsModule } from './projections/projections.module';
import { Bootstrap } from './tenancy/bootstrap';
import { TenancyModule } from './tenancy/tenancy.module';

/** What the operator CLI runs against identity's own database (no HTTP, no Kafka needed). */
@Module({})
class IdentityCommandModule {
  static register(config: IdentityConfig): DynamicModule {
    return {
      module: IdentityCommandModule,
      imports: [
        IdentityConfigModule.register(config),
        DatabaseModule.forRoot(identityDatabase(config)),
        TenancyModule,
        ProjectionsModule,
      ],
    };
  }
}

async function withApp<T>(
  config: IdentityConfig,
  work: (get: <S>(type: new (...args: never[]) => S) => S) => Promise<T>,
) {
  const app = await NestFactory.createApplicationContext(IdentityCommandModule.register(config), {
    logger: false,
  });
  try {
    return await work((type) => app.get(type));
  } finally {
    await app.close();
  }
}

export function identityCommand(): Command {
  const program = new Command('identity').description("Operator commands on identity's database");
  program
    .command('migrate')
    .description('create the database if missing and apply pending migrations')
    .action(async () => {
      const config = identityConfig(parseEnvOrExit(identityEnvSchema, 'identity'));
      const dataSource = await openDatabase(identityDatabase(config));
      await dataSource.destroy();
      process.stdout.write(`identity: database ${config.postgres.database} is migrated\n`);
    });
  program
    .command('bootstrap')
    .description('create the first workspace and its owner; prints the owner key once')
    .requiredOption('--workspace <name>', 'name of the first workspace')
    .option('--email <email>', "the owner's email", 'owner@keyway.local')
    .option('--json', 'print { workspaceId, memberId, key } as JSON')
    .action(async (options: { workspace: string; email: string; json?: boolean }) => {
      const config = identityConfig(parseEnvOrExit(identityEnvSchema, 'identity'));
      if (resolvePepper(config).development) {
        process.stderr.write(
          'warning: KEYWAY_PEPPER is not set; using the public development pepper\n',
        );
      }
      const result = await withApp(config, (get) =>
        get(Bootstrap).execute({ workspace: options.workspace, ownerEmail: options.email }),
      );
      if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else {
        process.stdout.write(
          `workspace ${result.workspaceId}\nowner     ${result.memberId}\nkey       ${result.key}\n` +
            'The key is shown once: store it now.\n',
        );
      }
    });
  program
    .command('rebuild-projections')
    .description(
      'rebuild the read models (keys, identities, members, workspaces) from the event store',
    )
    .action(async () => {
      const config = identityConfig(parseEnvOrExit(identityEnvSchema, 'identity'));
      const { events } = await withApp(config, (get) => get(ProjectionRebuild).rebuild());
      process.stdout.write(`identity: read models rebuilt from ${events} events\n`);
    });
  return program;
}

if (require.main === module) {
  identityCommand()
    .exitOverride()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      if (error instanceof CommanderError) process.exit(error.exitCode);
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
