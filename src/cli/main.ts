/**
 * Command-line entry: `pcap-sensor <command>`. bin/pcap-sensor and bin/init both land here, so the
 * documented container entrypoint `./bin/init apidump ...` and the local program are one program.
 *
 * `apidump` configuration: flags > environment (LEVO_*) > config file > defaults, merged once in
 * src/config/layers.ts and handed to yargs, so every value is coerced and validated the same way.
 */
import yargs from 'yargs';
import { APIDUMP_OPTIONS, checkCombinations, toApidumpConfig, UsageError } from './apidump-flags.js';
import { runApidump } from './apidump.js';
import { createLogger } from '../util/logger.js';
import { registerSatelliteCommand } from './satellite-command.js';
import { registerHealthCommand } from './health-command.js';
import { registerInventoryCommand } from './inventory-command.js';
import { INVENTORY_OPTIONS } from './inventory-flags.js';
import { buildConfigLayers, type ConfigLayers } from '../config/layers.js';
import { checkCommandLine, flagsOnCommandLine } from '../config/command-line.js';
import { usageLine } from '../config/usage-message.js';
import { renderConfig } from '../config/print-config.js';
import type { Argv } from 'yargs';

const ECS_DESCRIPTION = 'Install the sensor as a sidecar in an ECS (Fargate) service, or remove it';

/** Flags shown by --print-config: every apidump flag except the two about configuration itself. */
const PRINTED_FLAGS = Object.keys(APIDUMP_OPTIONS).filter((f) => f !== 'print-config' && f !== 'config');

/**
 * The ECS installer pulls in the AWS SDK (over 100 MiB of resident memory): it is loaded only when the `ecs`
 * command runs, so the sidecar's `apidump` never pays for it. Other commands list it by name only.
 */
async function withEcsCommand<T>(y: Argv<T>, argv: string[], setExit: (code: number) => void): Promise<Argv<T>> {
  if (argv[0] !== 'ecs') return y.command('ecs', ECS_DESCRIPTION, () => {}, () => {}) as Argv<T>;
  const { registerEcsCommand } = await import('../ecs/command.js');
  return registerEcsCommand(y, setExit);
}

/** Exit codes: 0 ok, 1 runtime failure (capture or export; unhealthy for `health`), 2 usage error. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let exitCode = 0;
  let layers: ConfigLayers | null = null;
  const onCommandLine = flagsOnCommandLine(argv.slice(1));
  /** apidump, inventory: one line naming the flag and its source (src/config/usage-message.ts); other commands: as yargs says. */
  const usageError = (message: string): number => {
    process.stderr.write(argv[0] === 'apidump' || argv[0] === 'inventory'
      ? `Error: ${usageLine(message, argv.slice(1), layers, onCommandLine)}\n`
      : `Error: ${message}\nRun 'pcap-sensor --help' for the flags.\n`);
    return 2;
  };
  try {
    if (argv[0] === 'apidump') {
      checkCommandLine(argv.slice(1), APIDUMP_OPTIONS);
      layers = buildConfigLayers(APIDUMP_OPTIONS, argv.slice(1), env);
    }
    if (argv[0] === 'inventory') checkCommandLine(argv.slice(1), INVENTORY_OPTIONS);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message);
    throw err;
  }
  const root = yargs(argv)
    .scriptName('pcap-sensor')
    .usage('$0 <command> [options]')
    .command(
      'apidump',
      'capture HTTP API traffic (live interfaces or --pcap FILE) and export it',
      (y) => y.options(APIDUMP_OPTIONS).config(layers?.merged ?? {}),
      async (args) => {
        const a = args as Record<string, unknown>;
        checkCombinations(a);
        if (a['print-config'] === true) {
          process.stdout.write(`${JSON.stringify(renderConfig(a, PRINTED_FLAGS, layers!, onCommandLine), null, 2)}\n`);
          return;
        }
        const cfg = toApidumpConfig(a);
        const log = createLogger({ level: cfg.logLevel });
        if (layers?.configFile) log.info({ configFile: layers.configFile }, 'configuration file read');
        exitCode = await runApidump(cfg, log);
      },
    );
  const withHealth = registerHealthCommand(registerSatelliteCommand(registerInventoryCommand(root, argv, (code) => { exitCode = code; }), (code) => { exitCode = code; }), (code) => { exitCode = code; }, env);
  const parser = (await withEcsCommand(withHealth, argv, (code) => { exitCode = code; }))
    .demandCommand(1, 'Name a command: apidump, inventory, satellite, health or ecs')
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
    if (e instanceof UsageError || e.name === 'YError' || e.name === 'UsageError') return usageError(e.message);
    process.stderr.write(`Error: ${e.stack ?? e.message}\n`);
    return 1;
  }
  return exitCode;
}
