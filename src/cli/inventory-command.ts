/**
 * `pcap-sensor inventory`: the endpoints of a capture (or of apidump's JSON Lines) with their calls,
 * statuses, latency and shapes, as a table, JSON or an OpenAPI document (docs/inventory.md).
 * Exit status: 0 done; 1 an input or the output failed; 2 a usage error (one line naming the flag).
 */
import type { Argv } from 'yargs';
import { INVENTORY_OPTIONS, toInventoryConfig } from './inventory-flags.js';
import { runInventory } from './inventory-run.js';
import { flagsOnCommandLine } from '../config/command-line.js';

export function registerInventoryCommand<T>(yargs: Argv<T>, argv: readonly string[], setExit: (code: number) => void): Argv<T> {
  return yargs.command(
    'inventory',
    'list the endpoints of a capture (--pcap) or of apidump output (--exchanges): calls, statuses, latency, schemas',
    (y) => y.options(INVENTORY_OPTIONS),
    async (args) => {
      const cfg = toInventoryConfig(args as Record<string, unknown>, flagsOnCommandLine(argv.slice(1)), Boolean(process.stdout.isTTY));
      setExit(await runInventory(cfg));
    },
  ) as Argv<T>;
}
