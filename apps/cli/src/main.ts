import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import {
  type CreateKeyRequest,
  type KeyList,
  type KeyResource,
  type KeyWithSecret,
  type RevokeKeyRequest,
} from '@keyway/contracts';
import { describeReport, verifierKeys, verifyExport } from './audit-verify';
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
        const body: CreateKeyRequest = {
          name: options.name,
          // Checked by identity, which answers a wrong value with 400 VALIDATION_ERROR.
          environment: options.environment as CreateKeyRequest['environment'],
          scopes: options.scopes.split(',').filter(Boolean),
          expires: options.expires,
        };
        const created = await connection(command).request<KeyWithSecret>('POST', '/v1/keys', body);
        print(
          created,
          options.json,
          () => `${created.id}\n${created.key}\nThe key is shown once: store it now.`,
        );
      },
    );

  keys
    .command('list')
    .description('list keys, newest first')
    .option('--status <status>', 'active, revoked or expired')
    .option('--environment <environment>', 'live or test')
    .option('--limit <n>', 'how many', '20')
    .option('--cursor <cursor>', 'the nextCursor of a previous page')
    .option('--json', 'print the response as JSON')
    .action(
      async (
        options: {
          status?: string;
          environment?: string;
          limit: string;
          cursor?: string;
          json?: boolean;
        },
        command: Command,
      ) => {
        const query = new URLSearchParams({ limit: options.limit });
        if (options.status) query.set('status', options.status);
        if (options.environment) query.set('environment', options.environment);
        if (options.cursor) query.set('cursor', options.cursor);
        const page = await connection(command).request<KeyList>(
          'GET',
          `/v1/keys?${query.toString()}`,
        );
        print(page, options.json, () =>
          [
            ...page.data.map((key) =>
              [key.id, key.status.padEnd(7), `${key.start}…${key.last4}`, key.name].join('  '),
            ),
            page.nextCursor ? `more: --cursor ${page.nextCursor}` : '',
          ]
            .filter(Boolean)
            .join('\n'),
        );
      },
    );

  keys
    .command('revoke <id>')
    .description('revoke a key now')
    .option('--reason <reason>', 'why, for the audit trail')
    .option('--json', 'print the response as JSON')
    .action(async (id: string, options: { reason?: string; json?: boolean }, command: Command) => {
      const body: RevokeKeyRequest = options.reason ? { reason: options.reason } : {};
      const revoked = await connection(command).request<KeyResource>(
        'POST',
        `/v1/keys/${encodeURIComponent(id)}/revoke`,
        body,
      );
      print(revoked, options.json, () => `${revoked.id} ${revoked.status}`);
    });

  program
    .command('projections')
    .description("projections derived from the events: identity's read models, the gateway's Redis")
    .command('rebuild')
    .description(
      "rebuild identity's read models from its event store, or with --gateway replay the key topics into the gateway's Redis (prints keys/s)",
    )
    .option('--gateway', "the gateway's Redis projection instead of identity's read models")
    .option('--force', 'with --gateway: replay even if Redis already holds a projection')
    .option('--json', 'with --gateway: print the figures as JSON')
    .action(async (options: { gateway?: boolean; force?: boolean; json?: boolean }) => {
      process.exitCode = options.gateway
        ? await runServiceCommand('gateway/src/command.js', [
            'rebuild-projection',
            ...(options.force ? ['--force'] : []),
            ...(options.json ? ['--json'] : []),
          ])
        : await runServiceCommand('identity/src/command.js', ['rebuild-projections']);
    });

  program
    .command('audit')
    .description("audit's trail, offline")
    .command('verify <file>')
    .description(
      'verify an NDJSON export of a workspace trail against signed checkpoints with the public key alone; exits 1 on any break',
    )
    .requiredOption(
      '--checkpoints <file>',
      'checkpoints: NDJSON of keyway.checkpoint.signed.v1 events or of checkpoint resources, or signed notes one after the other',
    )
    .option('--key <file>', 'a file of verifier keys (vkeys), one a line')
    .option('--key-text <vkey...>', 'verifier keys: <name>+<hex key id>+<base64 key>')
    .option('--workspace <id>', 'the workspace, for an empty export')
    .option('--json', 'print the report as JSON')
    .action(
      async (
        file: string,
        options: {
          checkpoints: string;
          key?: string;
          keyText?: string[];
          workspace?: string;
          json?: boolean;
        },
        command: Command,
      ) => {
        // The program's own --key (the management key) takes `--key FILE` when it is given on
        // the command line; its KEYWAY_KEY environment default is no public key.
        const keyFile =
          options.key ??
          (program.getOptionValueSource('key') === 'cli'
            ? command.optsWithGlobals<{ key?: string }>().key
            : undefined);
        const keys = verifierKeys([
          ...(keyFile ? [readFileSync(keyFile, 'utf8')] : []),
          ...(options.keyText ?? []),
        ]);
        const report = await verifyExport({
          exportFile: file,
          checkpointsFile: options.checkpoints,
          keys,
          workspaceId: options.workspace,
        });
        print(report, options.json, () => describeReport(report));
        process.exitCode = report.valid ? 0 : 1;
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
