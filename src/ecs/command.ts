// The `ecs` command group for the top-level yargs CLI: `ecs add`, `ecs remove`, `ecs container-definition`.
// The CLI calls `registerEcsCommand(yargs, setExit)`; each handler prints user-facing text (never a stack
// trace) and reports its exit code through `setExit`: 0 ok or dry run, 1 failed or cancelled, 2 refused or usage
// error (nothing changed), 3 rollout still running at --timeout, 130 interrupted at a question. A bad flag value
// never reaches a handler: the flags' parsers (cli-flags.ts) refuse it while yargs parses.
//
// The installer pulls in the AWS SDK (over 100 MiB of resident memory): this module declares the commands
// without it, and a handler loads handlers.ts (and the SDK) only when it runs, so `apidump` never pays for it.
// The sidecar image ships without the SDK (docs/operations.md): there a subcommand exits 2 with one line
// saying where the installer is, instead of failing on the missing module.
import type { Argv } from 'yargs';
import { InstallerError } from './aws-errors.js';
import { UsageError } from '../config/usage-error.js';
import { SUBCOMMAND_OPTIONS, type RawArgv } from './cli-flags.js';
import type { RunContext } from './target-selection.js';
import { consoleOutput, nonInteractivePrompter, terminalPrompter } from './terminal.js';

/** Receives the exit code of the command that ran. */
export type SetExit = (code: number) => void;

const ECS_DESCRIPTION = 'Install the sensor as a sidecar in an ECS (Fargate) service, or remove it';

const NO_INSTALLER = 'ecs: the ECS installer is not in this image (it ships without the AWS SDK): build the installer ' +
  "image with 'docker build --target installer -t pcap-sensor-installer .' and run " +
  "'docker run --rm -it -v ~/.aws:/aws:ro pcap-sensor-installer ecs ...', or run 'bin/pcap-sensor ecs' from a checkout.";

type Handlers = typeof import('./handlers.js');

/** The installer's code; an InstallerError (exit 2) when the AWS SDK is not installed. */
async function loadHandlers(): Promise<Handlers> {
  try {
    return await import('./handlers.js');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes('@aws-sdk/')) throw new InstallerError(NO_INSTALLER, 2);
    throw err;
  }
}

/** Terminal prompts when stdin and stderr are terminals; the rollout options come from the flags later. */
function interactiveContext(): Omit<RunContext, 'rollout'> {
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  return { prompter: interactive ? terminalPrompter() : nonInteractivePrompter, out: consoleOutput() };
}

/**
 * Runs one command; every failure becomes one `Error: ...` line on stderr and an exit code: a UsageError (a flag
 * missing or refused, in the form of every command's usage errors, docs/configuration.md) exits 2, an
 * InstallerError with its own code, anything else 1.
 */
async function runHandler(setExit: SetExit, ctx: Omit<RunContext, 'rollout'>, run: (h: Handlers) => Promise<number>): Promise<void> {
  try {
    setExit(await run(await loadHandlers()));
  } catch (err) {
    ctx.out.endProgress();
    if (err instanceof UsageError || err instanceof InstallerError) {
      ctx.out.warn(`Error: ${err.message}`);
      setExit(err instanceof UsageError ? 2 : err.exitCode);
    } else {
      ctx.out.warn(`Error: ${err instanceof Error ? err.message : String(err)}`);
      setExit(1);
    }
  } finally {
    ctx.prompter.close?.();
  }
}

/** Adds `ecs add|remove|container-definition` to the CLI; `setExit` receives each run's exit code. */
export function registerEcsCommand<T>(yargs: Argv<T>, setExit: SetExit): Argv<T> {
  return yargs.command('ecs', ECS_DESCRIPTION, (ecs) => ecs
    .command('add', 'Add the sensor sidecar to the task definition a service runs, and deploy it',
      (y) => y.options(SUBCOMMAND_OPTIONS.add),
      (argv) => {
        const ctx = interactiveContext();
        return runHandler(setExit, ctx, (h) => h.runAdd(argv as RawArgv, ctx));
      })
    .command('remove', 'Deploy a revision without the sensor sidecar',
      (y) => y.options(SUBCOMMAND_OPTIONS.remove),
      (argv) => {
        const ctx = interactiveContext();
        return runHandler(setExit, ctx, (h) => h.runRemove(argv as RawArgv, ctx));
      })
    .command('container-definition', 'Print the sidecar container definition JSON for the console',
      (y) => y.options(SUBCOMMAND_OPTIONS['container-definition']),
      (argv) => {
        const ctx = { prompter: nonInteractivePrompter, out: consoleOutput() };
        return runHandler(setExit, ctx, (h) => h.runContainerDefinition(argv as RawArgv, ctx.out));
      })
    .demandCommand(1, 'ecs needs a subcommand: add, remove or container-definition'));
}
