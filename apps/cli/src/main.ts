import { Command, CommanderError, Option } from 'commander';
import { IdentityClient } from './identity-client';
import { runServiceCommand } from './run-service-command';

function connection(command: Command): IdentityClient {
  const options = command.optsWithGlobals<{ url: string; key?: string }>();
  if (!options.key) throw new Error('no API key: pass --key or set KEYWAY_KEY');
  return new IdentityClient(options.url, options.key);
}

function print(value: unknown, json: boolean | undefined, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

export function keywayCli(): Command {
  const program = new Command('keyway')
    .description('Keyway operator CLI: bootstrap, migrations and key management')
    .addOption(
      new Option('--url <url>', "identity's base URL")
        .env('KEYWAY_URL')
        .default('http://127.0.0.1:8081'),
    )
    .addOption(new Option('--key <key>', 'management API key').env('KEYWAY_KEY'))
    .showHelpAfterError();

  program
    .command('bootstrap')
    .description(
      'create the first workspace and its owner; prints the owner key once (refuses if any workspace exists)',
    )
    .requiredOption('--workspace <name>', 'name of the first workspace')
    .option('--email <email>', "the owner's email", 'owner@keyway.local')
    .option('--json', 'print { workspaceId, memberId, key } as JSON')
    .action(async (options: { workspace: string; email: string; json?: boolean }) => {
      const args = ['bootstrap', '--workspace', options.workspace, '--email', options.email];
      process.exitCode = await runServiceCommand(
        'identity/src/command.js',
        options.json ? [...args, '--json'] : args,
      );
    });

  program
    .command('migrate')
    .description("create identity's and audit's databases if missing and apply their migrations")
    .action(async () => {
      process.exitCode =
        (await runServiceCommand('identity/src/command.js', ['migrate'])) ||
        (await runServiceCommand('audit/src/main.js', ['migrate']));
    });

  const keys = program.command('keys').description('manage keys through the management API');
  keys
    .command('create')
    .description('issue a key; the secret is printed once')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--environment <environment>', 'live or test', 'live')
    .option('--scopes <scopes>', 'comma-separated scopes', '')
    .option('--expires <expires>', 'never, 7d, 30d, 90d, 1y or an ISO time', 'never')
    .option('--json', 'print the response as JSON')
    .action(
      async (
        options: {
          name: string;
          environment: string;
          scopes: string;
          expires: string;
          json?: boolean;
        },
        command: Command,
      ) => {
        const created = await connection(command).request<{ key: string; id: string }>(
          'POST',
          '/v1/keys',
          {
            name: options.name,
            environment: options.environment,
            scopes: options.scopes.split(',').filter(Boolean),
            expires: options.expires,
          },
        );
        print(
          created,
          options.json,
          () => `${created.id}\n${created.key}\nThe key is shown once: store it now.`,
        );
      },
    );

  return program;
}

if (require.main === module) {
  keywayCli()
    .exitOverride()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      if (error instanceof CommanderError) process.exit(error.exitCode);
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
