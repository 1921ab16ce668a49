/**
 * Command-line entry: `pcap-sensor <command>`. bin/pcap-sensor and bin/init both land here, so the
 * documented container entrypoint `./bin/init apidump ...` and the local program are one program.
 *
 * `apidump` configuration: flags > environment (LEVO_*) > config file > defaults, merged once in
 * src/config/layers.ts and handed to yargs, so every value is coerced and validated the same way.
 * A usage error of any command is one line naming the flag and its source, exit status 2. The ECS
 * installer's AWS SDK is loaded only when an `ecs` subcommand runs (src/ecs/command.ts).
 */
import yargs from 'yargs';
import { APIDUMP_OPTIONS, checkCombinations, toApidumpConfig, UsageError } from './apidump-flags.js';
import { runApidump } from './apidump.js';
import { createLogger } from '../util/logger.js';
import { registerSatelliteCommand, SATELLITE_OPTIONS } from './satellite-command.js';
import { healthOptions, registerHealthCommand } from './health-command.js';
import { registerEcsCommand } from '../ecs/command.js';
import { SUBCOMMAND_OPTIONS } from '../ecs/cli-flags.js';
import { registerInventoryCommand } from './inventory-command.js';
import { INVENTORY_OPTIONS } from './inventory-flags.js';
import { buildConfigLayers, type ConfigLayers } from '../config/layers.js';
import { checkCommandLine, flagsOnCommandLine } from '../config/command-line.js';
import { usageLine } from '../config/usage-message.js';
import { isCheckUnavailable } from '../config/usage-error.js';
import { renderConfig } from '../config/print-config.js';
import type { Options } from 'yargs';

/** Flags shown by --print-config: every apidump flag except the two about configuration itself. */
const PRINTED_FLAGS = Object.keys(APIDUMP_OPTIONS).filter((f) => f !== 'print-config' && f !== 'config');

/** The flags of the command (and subcommand) `argv` names, or null: what is checked before yargs parses. */
function commandOptions(argv: readonly string[], env: NodeJS.ProcessEnv): Record<string, Options> | null {
  switch (argv[0]) {
    case 'apidump': return APIDUMP_OPTIONS;
    case 'inventory': return INVENTORY_OPTIONS;
    case 'satellite': return SATELLITE_OPTIONS;
    case 'health': return healthOptions(env);
    case 'ecs': return Object.hasOwn(SUBCOMMAND_OPTIONS, argv[1] ?? '') ? SUBCOMMAND_OPTIONS[argv[1] as keyof typeof SUBCOMMAND_OPTIONS] : null;
    default: return null;
  }
}

/** Exit codes: 0 ok, 1 runtime failure (capture or export; unhealthy for `health`), 2 usage error. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let exitCode = 0;
  let layers: ConfigLayers | null = null;
  const onCommandLine = flagsOnCommandLine(argv.slice(1));
  /** Every command: one line naming the flag and where its value came from (src/config/usage-message.ts). */
  const usageError = (message: string): number => {
    process.stderr.write(`Error: ${usageLine(message, argv.slice(1), layers, onCommandLine)}\n`);
    return 2;
  };
  try {
    const options = commandOptions(argv, env);
    if (options !== null) checkCommandLine(argv.slice(1), options);
    if (argv[0] === 'apidump') layers = buildConfigLayers(APIDUMP_OPTIONS, argv.slice(1), env);
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
  const setExit = (code: number): void => { exitCode = code; };
  const parser = registerEcsCommand(registerHealthCommand(registerSatelliteCommand(registerInventoryCommand(root, argv, setExit), setExit), setExit, env), setExit)
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
    // a value that could not be checked (the addon that compiles --filter cannot load): a broken install, exit 1,
    // in the one-line form of a usage error, naming where the value came from
    if (isCheckUnavailable(e.message)) {
      process.stderr.write(`Error: ${usageLine(e.message, argv.slice(1), layers, onCommandLine)}\n`);
      return 1;
    }
    if (e instanceof UsageError || e.name === 'YError' || e.name === 'UsageError') return usageError(e.message);
    process.stderr.write(`Error: ${e.stack ?? e.message}\n`);
    return 1;
  }
  return exitCode;
}
