// The `ecs` command group for the top-level yargs CLI: `ecs add`, `ecs remove`, `ecs container-definition`.
// The integrator calls `registerEcsCommand(yargs)`; handlers print user-facing text and set process.exitCode
// (0 ok / dry run, 1 failed, 2 refused or usage error, 3 rollout still running at --timeout).
import type { Argv } from 'yargs';
import { InstallerError } from './aws-errors.js';
import { resolveRegion, sharedFiles } from './aws-session.js';
import { runEcsAdd, completeSensorSettings, type SensorFlags } from './add-sensor.js';
import { runEcsRemove } from './remove-sensor.js';
import { DEFAULT_POLL_INTERVAL_MS, DEFAULT_ROLLOUT_TIMEOUT_MS } from './rollout.js';
import { buildSensorContainer } from './sidecar.js';
import { defaultImage } from './installer-tags.js';
import type { RunContext, TargetFlags } from './target-selection.js';
import { consoleOutput, nonInteractivePrompter, terminalPrompter, type Output, type Prompter } from './terminal.js';

/** Parsed flags of the ecs commands (yargs camel-cases them). Repeatable regex flags arrive as string | string[]. */
export interface EcsArgv {
  profile: string; region?: string; cluster?: string; service?: string; taskDefinition?: string;
  satelliteUrl?: string; levoEnv: string; levoaiOrgId?: string; filter?: string; rateLimit?: number;
  hostAllow?: string | string[]; pathAllow?: string | string[]; hostExclusions?: string | string[]; pathExclusions?: string | string[];
  traceExportInterval?: number; image: string; cpu: number; memory: number; logGroup?: string;
  dryRun?: boolean; yes?: boolean; timeout: number; pollInterval: number; endpointUrl?: string;
}

/** Each occurrence of a repeatable flag is one value; never split on commas (a regex may contain them). */
export function repeatable(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

export function sensorFlagsFrom(a: EcsArgv): SensorFlags {
  return {
    satelliteUrl: a.satelliteUrl, orgId: a.levoaiOrgId, levoEnv: a.levoEnv, image: a.image, cpu: a.cpu, memory: a.memory,
    logGroup: a.logGroup, filter: a.filter, rateLimit: a.rateLimit, traceExportInterval: a.traceExportInterval,
    hostAllow: repeatable(a.hostAllow), pathAllow: repeatable(a.pathAllow),
    hostExclusions: repeatable(a.hostExclusions), pathExclusions: repeatable(a.pathExclusions),
  };
}

function targetFlagsFrom(a: EcsArgv): TargetFlags {
  return { profile: a.profile, region: a.region, cluster: a.cluster, service: a.service,
    taskDefinition: a.taskDefinition, endpoint: a.endpointUrl };
}

/** Context for a real run: terminal prompts when stdin and stderr are terminals. */
function defaultContext(a: EcsArgv): RunContext {
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  return {
    prompter: interactive ? terminalPrompter() : nonInteractivePrompter,
    out: consoleOutput(),
    rollout: { pollIntervalMs: a.pollInterval * 1000, timeoutMs: a.timeout * 1000 },
  };
}

/** `ecs container-definition`: the sidecar JSON from the flags (no AWS calls). Returns the exit code. */
export async function runContainerDefinition(a: EcsArgv, out: Output, prompter: Prompter, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const region = resolveRegion(a.region, a.profile, sharedFiles(env), env);
  if (!region) throw new InstallerError('missing --region: the sensor\'s LEVO_AWS_REGION and awslogs-region (or set LEVO_AWS_REGION).', 2);
  const settings = await completeSensorSettings(sensorFlagsFrom(a), region, '/ecs/levo-pcap-sensor', prompter);
  out.say(JSON.stringify(buildSensorContainer(settings), null, 2));
  return 0;
}

async function runHandler(run: () => Promise<number>, out: Output, prompter?: Prompter): Promise<void> {
  try {
    process.exitCode = await run();
  } catch (err) {
    out.endProgress();
    if (err instanceof InstallerError) {
      out.warn(`Error: ${err.message}`);
      process.exitCode = err.exitCode;
    } else {
      out.warn(`Error: ${(err as Error)?.stack ?? String(err)}`);
      process.exitCode = 1;
    }
  } finally {
    prompter?.close?.();
  }
}

function sensorOptions<T>(y: Argv<T>) {
  return y
    .option('satellite-url', { type: 'string', describe: 'Satellite URL, http(s)://host:port' })
    .option('levo-env', { type: 'string', default: 'staging', describe: 'Application environment the traces show up under' })
    .option('levoai-org-id', { type: 'string', describe: 'Levo organization id' })
    .option('filter', { type: 'string', describe: 'pcap-filter(7) expression' })
    .option('rate-limit', { type: 'number', describe: 'Traces per minute' })
    .option('host-allow', { type: 'string', describe: 'Regex of hosts to keep (repeat the flag for more; not comma-split)' })
    .option('path-allow', { type: 'string', describe: 'Regex of paths to keep (repeatable)' })
    .option('host-exclusions', { type: 'string', describe: 'Regex of hosts to drop (repeatable)' })
    .option('path-exclusions', { type: 'string', describe: 'Regex of paths to drop (repeatable)' })
    .option('trace-export-interval', { type: 'number', describe: 'Seconds between trace exports' })
    .option('image', { type: 'string', default: defaultImage(), describe: 'Sensor image' })
    .option('cpu', { type: 'number', default: 512, describe: 'Sidecar CPU units (1024 = 1 vCPU)' })
    .option('memory', { type: 'number', default: 512, describe: 'Sidecar memory limit, MiB' })
    .option('log-group', { type: 'string', describe: 'CloudWatch log group of the sidecar (default /ecs/<family>-pcap)' })
    .option('profile', { type: 'string', default: 'default', describe: 'AWS profile in ~/.aws/credentials (or /aws/credentials)' })
    .option('region', { type: 'string', describe: 'AWS region (default: the profile\'s, then LEVO_AWS_REGION)' });
}

function targetOptions<T>(y: Argv<T>) {
  return y
    .option('cluster', { type: 'string', describe: 'ECS cluster name' })
    .option('service', { type: 'string', describe: 'ECS service name' })
    .option('task-definition', { type: 'string', describe: 'Task definition family' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'Print the new task definition; change nothing' })
    .option('yes', { type: 'boolean', alias: 'y', default: false, describe: 'Do not ask for confirmation' })
    .option('timeout', { type: 'number', default: DEFAULT_ROLLOUT_TIMEOUT_MS / 1000, describe: 'Seconds to follow the deployment' })
    .option('poll-interval', { type: 'number', default: DEFAULT_POLL_INTERVAL_MS / 1000, hidden: true, describe: 'Seconds between deployment polls' })
    .option('endpoint-url', { type: 'string', hidden: true, describe: 'Custom AWS endpoint (testing)' });
}

/** Adds `ecs add|remove|container-definition` to the CLI. */
export function registerEcsCommand<T>(yargs: Argv<T>): Argv<T> {
  return yargs.command('ecs', 'Install the sensor as a sidecar in an ECS (Fargate) service, or remove it', (ecs) => ecs
    .command('add', 'Add the sensor sidecar to the task definition a service runs, and deploy it',
      (y) => targetOptions(sensorOptions(y)),
      (argv) => {
        const a = argv as unknown as EcsArgv;
        const ctx = defaultContext(a);
        return runHandler(async () => (await runEcsAdd({ ...targetFlagsFrom(a), dryRun: !!a.dryRun, yes: !!a.yes,
          sensor: sensorFlagsFrom(a) }, ctx)).exitCode, ctx.out, ctx.prompter);
      })
    .command('remove', 'Deploy a revision without the sensor sidecar',
      (y) => targetOptions(y
        .option('profile', { type: 'string', default: 'default', describe: 'AWS profile' })
        .option('region', { type: 'string', describe: 'AWS region' })),
      (argv) => {
        const a = argv as unknown as EcsArgv;
        const ctx = defaultContext(a);
        return runHandler(async () => (await runEcsRemove({ ...targetFlagsFrom(a), dryRun: !!a.dryRun, yes: !!a.yes }, ctx)).exitCode, ctx.out, ctx.prompter);
      })
    .command('container-definition', 'Print the sidecar container definition JSON for the console',
      (y) => sensorOptions(y),
      (argv) => {
        const a = argv as unknown as EcsArgv;
        const out = consoleOutput();
        return runHandler(() => runContainerDefinition(a, out, nonInteractivePrompter), out);
      })
    .demandCommand(1, 'ecs needs a subcommand: add, remove or container-definition'));
}
