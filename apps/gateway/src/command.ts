import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { Redis } from 'ioredis';
import { parseEnvOrExit } from '@keyway/platform-config';
import { createKafka } from '@keyway/platform-kafka';
import { gatewayConfig, gatewayEnvSchema } from './config';
import { ProjectionNotEmpty, rebuildProjection } from './projection/projection-rebuild';

/** Operator commands on the gateway's Redis (the CLI runs them: `keyway projections rebuild --gateway`). */
export function gatewayCommand(): Command {
  const program = new Command('gateway').description("Operator commands on the gateway's Redis");
  program
    .command('rebuild-projection')
    .description('replay the key and workspace topics from offset 0 into Redis; prints keys/s')
    .option('--force', 'replay even if Redis already holds a projection (idempotent)')
    .option('--json', 'print the figures as JSON')
    .action(async (options: { force?: boolean; json?: boolean }) => {
      const config = gatewayConfig(parseEnvOrExit(gatewayEnvSchema, 'gateway'));
      const redis = new Redis(config.redis.url, { enableAutoPipelining: true, lazyConnect: true });
      const kafka = createKafka({
        brokers: config.kafka.brokers,
        clientId: `${config.kafka.clientId}-rebuild`,
      });
      try {
        await redis.connect();
        const result = await rebuildProjection(redis, kafka, `${config.kafka.groupId}-projection`, {
          force: options.force ?? false,
        });
        const keysPerSecond = Math.round(result.keys / Math.max(result.seconds, 1e-9));
        const eventsPerSecond = Math.round(result.events / Math.max(result.seconds, 1e-9));
        const figures = {
          ...result,
          seconds: Number(result.seconds.toFixed(3)),
          keysPerSecond,
          eventsPerSecond,
        };
        process.stdout.write(
          options.json
            ? `${JSON.stringify(figures)}\n`
            : `gateway: replayed ${result.events} events (${result.keys} keys) in ${figures.seconds} s: ` +
                `${keysPerSecond} keys/s, ${eventsPerSecond} events/s${result.parked ? `, ${result.parked} unreadable skipped` : ''}\n`,
        );
      } catch (error) {
        if (error instanceof ProjectionNotEmpty) {
          process.stderr.write(`gateway: ${error.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw error;
      } finally {
        redis.disconnect();
      }
    });
  return program;
}

if (require.main === module) {
  gatewayCommand()
    .exitOverride()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      if (error instanceof CommanderError) process.exit(error.exitCode);
      process.stderr.write(`gateway: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
