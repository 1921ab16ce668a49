// The `ecs` command group for the top-level yargs CLI: `ecs add`, `ecs remove`, `ecs container-definition`.
// The integrator calls `registerEcsCommand(yargs, setExit)`; each handler prints user-facing text (never a stack
// trace) and reports its exit code through `setExit`: 0 ok or dry run, 1 failed or cancelled, 2 refused or usage
// error (nothing changed), 3 rollout still running at --timeout, 130 interrupted at a question.
// Flags are read in cli-flags.ts by their dashed names, whatever the parser's camel-case setting.
import type { Argv } from 'yargs';
import { InstallerError } from './aws-errors.js';
import { resolveRegion, sharedFiles } from './aws-session.js';
import { runEcsAdd, completeSensorSettings } from './add-sensor.js';
import {
  ACCOUNT_OPTIONS, accountFlagsFrom, rolloutFrom, SENSOR_OPTIONS, sensorFlagsFrom, TARGET_OPTIONS, targetFlagsFrom,
  type RawArgv,
} from './cli-flags.js';
import { runEcsRemove } from './remove-sensor.js';
import { buildSensorContainer } from './sidecar.js';
import type { RunContext } from './target-selection.js';
import { consoleOutput, nonInteractivePrompter, terminalPrompter, type Output } from './terminal.js';

/** Receives the exit code of the command that ran. */
export type SetExit = (code: number) => void;

/** Terminal prompts when stdin and stderr are terminals; the rollout options come from the flags later. */
function interactiveContext(): Omit<RunContext, 'rollout'> {
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  return { prompter: interactive ? terminalPrompter() : nonInteractivePrompter, out: consoleOutput() };
}

/** `ecs container-definition`: the sidecar JSON from the flags (no AWS calls). Returns the exit code. */
export async function runContainerDefinition(a: RawArgv, out: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const sensor = sensorFlagsFrom(a);
  if (sensor.satelliteUrl === undefined) throw new InstallerError('missing --satellite-url: where the sensor sends traces, http(s)://host:port.', 2);
  if (sensor.orgId === undefined) throw new InstallerError('missing --levoai-org-id: the Levo organization id the traces belong to.', 2);
  const { profile, region: regionFlag } = accountFlagsFrom(a);
  const region = resolveRegion(regionFlag, profile, sharedFiles(env), env);
  if (!region) {
    throw new InstallerError(`missing --region: the sensor's LEVO_AWS_REGION and awslogs-region (profile "${profile}" ` +
      'has no region; pass --region or set LEVO_AWS_REGION).', 2);
  }
  const settings = await completeSensorSettings(sensor, region, '/ecs/levo-pcap-sensor', nonInteractivePrompter);
  out.say(JSON.stringify(buildSensorContainer(settings), null, 2));
  return 0;
}

/** Runs one command; every failure becomes one `Error: ...` line on stderr and an exit code. */
async function runHandler(setExit: SetExit, ctx: Omit<RunContext, 'rollout'>, run: () => Promise<number>): Promise<void> {
  try {
    setExit(await run());
  } catch (err) {
    ctx.out.endProgress();
    if (err instanceof InstallerError) {
      ctx.out.warn(`Error: ${err.message}`);
      setExit(err.exitCode);
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
  return yargs.command('ecs', 'Install the sensor as a sidecar in an ECS (Fargate) service, or remove it', (ecs) => ecs
    .command('add', 'Add the sensor sidecar to the task definition a service runs, and deploy it',
      (y) => y.options(SENSOR_OPTIONS).options(ACCOUNT_OPTIONS).options(TARGET_OPTIONS),
      (argv) => {
        const ctx = interactiveContext();
        return runHandler(setExit, ctx, async () => {
          const a = argv as RawArgv;
          const flags = { ...targetFlagsFrom(a), sensor: sensorFlagsFrom(a) };
          return (await runEcsAdd(flags, { ...ctx, rollout: rolloutFrom(a) })).exitCode;
        });
      })
    .command('remove', 'Deploy a revision without the sensor sidecar',
      (y) => y.options(ACCOUNT_OPTIONS).options(TARGET_OPTIONS),
      (argv) => {
        const ctx = interactiveContext();
        return runHandler(setExit, ctx, async () => {
          const a = argv as RawArgv;
          return (await runEcsRemove(targetFlagsFrom(a), { ...ctx, rollout: rolloutFrom(a) })).exitCode;
        });
      })
    .command('container-definition', 'Print the sidecar container definition JSON for the console',
      (y) => y.options(SENSOR_OPTIONS).options(ACCOUNT_OPTIONS),
      (argv) => {
        const ctx = { prompter: nonInteractivePrompter, out: consoleOutput() };
        return runHandler(setExit, ctx, () => runContainerDefinition(argv as RawArgv, ctx.out));
      })
    .demandCommand(1, 'ecs needs a subcommand: add, remove or container-definition'));
}
