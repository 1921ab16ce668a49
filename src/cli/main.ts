/**
 * Command-line entry: `pcap-sensor <command>`. bin/pcap-sensor and bin/init both land here, so the
 * documented container entrypoint `./bin/init apidump ...` and the local program are one program.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { APIDUMP_OPTIONS, toApidumpConfig, UsageError } from './apidump-flags.js';
import { runApidump } from './apidump.js';
import { createLogger } from '../util/logger.js';
import { registerSatelliteCommand } from './satellite-command.js';
import type { Argv } from 'yargs';

const ECS_DESCRIPTION = 'Install the sensor as a sidecar in an ECS (Fargate) service, or remove it';

/**
 * The ECS installer pulls in the AWS SDK (over 100 MiB of resident memory): it is loaded only when the `ecs`
 * command runs, so the sidecar's `apidump` never pays for it. Other commands list it by name only.
 */
async function withEcsCommand<T>(y: Argv<T>, argv: string[]): Promise<Argv<T>> {
  if (argv[0] !== 'ecs') return y.command('ecs', ECS_DESCRIPTION, () => {}, () => {}) as Argv<T>;
  const { registerEcsCommand } = await import('../ecs/command.js');
  return registerEcsCommand(y);
}

/** Exit codes: 0 ok, 1 runtime failure (capture or export), 2 usage error. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const root = yargs(argv)
    .scriptName('pcap-sensor')
    .usage('$0 <command> [options]')
    .command(
      'apidump',
      'capture HTTP API traffic (live interfaces or --pcap FILE) and export it',
      (y) => y.options(APIDUMP_OPTIONS),
      async (args) => {
        const cfg = toApidumpConfig(args as Record<string, unknown>);
        const log = createLogger({ level: cfg.logLevel });
        exitCode = await runApidump(cfg, log);
      },
    );
  const parser = (await withEcsCommand(registerSatelliteCommand(root), argv))
    .demandCommand(1, 'Name a command: apidump, satellite or ecs')
    .strict()
    .parserConfiguration({ 'camel-case-expansion': false, 'dot-notation': false })
    .help()
    .version()
    .wrap(Math.min(120, process.stdout.columns ?? 120))
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  try {
    await parser.parseAsync();
  } catch (err) {
    const e = err as Error;
    if (e instanceof UsageError || e.name === 'YError' || e.name === 'UsageError') {
      process.stderr.write(`Error: ${e.message}\nRun '${'pcap-sensor'} --help' for the flags.\n`);
      return 2;
    }
    process.stderr.write(`Error: ${e.stack ?? e.message}\n`);
    return 1;
  }
  return exitCode;
}
