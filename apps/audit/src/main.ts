import 'reflect-metadata';
import { parseEnvOrExit } from '@keyway/platform-config';
import { openDatabase } from '@keyway/platform-database';
import { serveOpenApi, startHttpService } from '@keyway/platform-observability';
import { AuditModule } from './audit.module';
import { auditConfig, auditEnvSchema } from './config';
import { auditDatabase } from './database';
import { AUDIT_OPENAPI } from './openapi';

async function main(): Promise<void> {
  const config = auditConfig(parseEnvOrExit(auditEnvSchema, 'audit'));
  if (process.argv[2] === 'migrate') {
    await (await openDatabase(auditDatabase(config))).destroy();
    process.stdout.write(`audit: database ${config.postgres.database} is migrated\n`);
    return;
  }
  await startHttpService(AuditModule.register(config), {
    ...config.http,
    configure: (app) => serveOpenApi(app, AUDIT_OPENAPI),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `audit failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
