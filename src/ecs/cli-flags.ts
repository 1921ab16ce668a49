// The flags of the `ecs` commands: their yargs declarations and the one place that reads them back.
//
// Contract: every flag is read by its dashed name (`argv['satellite-url']`), never by a camel-cased alias, so the
// commands work whatever the root parser's `camel-case-expansion` setting. The readers take a key of the
// declaration tables, so a flag that is declared but misspelt when read fails to compile.
// Values are checked here, before any AWS call: a bad value is an InstallerError with exit code 2 naming the flag.
// Numbers are declared without a yargs type (not `number`, which turns 'abc' into NaN), so a message can quote
// what was typed ("--cpu: expected ..., got 'abc'"); the readers check them.
import type { Options } from 'yargs';
import { InstallerError } from './aws-errors.js';
import type { SensorFlags } from './add-sensor.js';
import { defaultImage } from './installer-tags.js';
import { DEFAULT_POLL_INTERVAL_MS, DEFAULT_ROLLOUT_TIMEOUT_MS, type RolloutOptions } from './rollout.js';
import type { TargetFlags } from './target-selection.js';
import { traceExportInterval as traceExportIntervalSeconds } from '../config/values.js';

/** Flags that shape the sidecar (`ecs add`, `ecs container-definition`). */
export const SENSOR_OPTIONS = {
  'satellite-url': { type: 'string', requiresArg: true, describe: 'Satellite URL, http(s)://host:port' },
  'levo-env': { type: 'string', requiresArg: true, default: 'staging', describe: 'Application environment the traces show up under' },
  'levoai-org-id': { type: 'string', requiresArg: true, describe: 'Levo organization id' },
  filter: { type: 'string', requiresArg: true, describe: 'pcap-filter(7) expression' },
  'rate-limit': { requiresArg: true, describe: 'Traces per minute, a whole number (0 = no limit)' },
  'host-allow': { type: 'string', requiresArg: true, describe: 'Regex of hosts to keep (repeat the flag for more; not comma-split)' },
  'path-allow': { type: 'string', requiresArg: true, describe: 'Regex of paths to keep (repeatable)' },
  'host-exclusions': { type: 'string', requiresArg: true, describe: 'Regex of hosts to drop (repeatable)' },
  'path-exclusions': { type: 'string', requiresArg: true, describe: 'Regex of paths to drop (repeatable)' },
  'trace-export-interval': { type: 'string', requiresArg: true, describe: 'Time between trace exports, 10 ms to 24 h: 10, 2.5, 500ms, 10s, 2m, 1h' },
  image: { type: 'string', requiresArg: true, default: defaultImage(), describe: 'Sensor image' },
  cpu: { requiresArg: true, default: 512, describe: 'Sidecar CPU units, a whole number (1024 = 1 vCPU)' },
  memory: { requiresArg: true, default: 512, describe: 'Sidecar memory limit, MiB (whole number)' },
  'log-group': { type: 'string', requiresArg: true, describe: 'CloudWatch log group of the sidecar (default /ecs/<family>-pcap)' },
} as const satisfies Record<string, Options>;

/** Flags that pick the AWS account and region (every ecs command). */
export const ACCOUNT_OPTIONS = {
  profile: { type: 'string', requiresArg: true, default: 'default', describe: 'AWS profile in ~/.aws/credentials (or /aws/credentials)' },
  region: { type: 'string', requiresArg: true, describe: 'AWS region (default: the profile\'s, then LEVO_AWS_REGION, AWS_REGION)' },
} as const satisfies Record<string, Options>;

/** Flags that pick and change a service (`ecs add`, `ecs remove`). */
export const TARGET_OPTIONS = {
  cluster: { type: 'string', requiresArg: true, describe: 'ECS cluster name' },
  service: { type: 'string', requiresArg: true, describe: 'ECS service name' },
  'task-definition': { type: 'string', requiresArg: true, describe: 'Task definition family (default: the one --service runs)' },
  'dry-run': { type: 'boolean', default: false, describe: 'Print the new task definition; change nothing' },
  yes: { type: 'boolean', alias: 'y', default: false, describe: 'Do not ask for confirmation' },
  timeout: { requiresArg: true, default: DEFAULT_ROLLOUT_TIMEOUT_MS / 1000, describe: 'Seconds to follow the deployment' },
  'poll-interval': { requiresArg: true, default: DEFAULT_POLL_INTERVAL_MS / 1000, hidden: true, describe: 'Seconds between deployment polls' },
  'endpoint-url': { type: 'string', requiresArg: true, hidden: true, describe: 'Custom AWS endpoint (testing)' },
} as const satisfies Record<string, Options>;

type FlagName = keyof typeof SENSOR_OPTIONS | keyof typeof ACCOUNT_OPTIONS | keyof typeof TARGET_OPTIONS;
/** Parsed argv as yargs hands it to a handler. */
export type RawArgv = Record<string, unknown>;

function usage(message: string): InstallerError {
  return new InstallerError(message, 2);
}

/** A single-valued string flag; given twice is an error (yargs would make it an array). */
export function stringFlag(a: RawArgv, name: FlagName): string | undefined {
  const v = a[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw usage(`--${name} was given ${v.length} times; give it once.`);
  return String(v as string | number | boolean);
}

/** A repeatable flag: each occurrence is one value, never split on commas (a regex may contain them). */
export function repeatedFlag(a: RawArgv, name: FlagName): string[] {
  const v = a[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

function booleanFlag(a: RawArgv, name: FlagName): boolean {
  const v = a[name];
  if (Array.isArray(v)) throw usage(`--${name} was given ${v.length} times; give it once.`);
  return v === true;
}

/** A whole number >= min, or undefined when the flag is absent. */
function integerFlag(a: RawArgv, name: FlagName, min: number): number | undefined {
  const text = stringFlag(a, name);
  if (text === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw usage(`--${name}: expected a whole number >= ${min}, got '${text}'.`);
  return n;
}

/** Seconds (a number > 0), as milliseconds. */
function secondsFlag(a: RawArgv, name: FlagName): number {
  const text = stringFlag(a, name) ?? '';
  const n = /^\s*(\d+(\.\d+)?|\.\d+)\s*$/.test(text) ? Number(text) : NaN;
  if (!(n > 0)) throw usage(`--${name}: expected a number of seconds > 0, got '${text}'.`);
  return n * 1000;
}

/** Sensor flags as typed; cpu and memory always have a value (their defaults). */
export function sensorFlagsFrom(a: RawArgv): SensorFlags {
  const interval = stringFlag(a, 'trace-export-interval');
  if (interval !== undefined) {
    try { traceExportIntervalSeconds(interval); } catch (err) { throw usage(`${(err as Error).message}.`); }
  }
  const levoEnv = stringFlag(a, 'levo-env') ?? 'staging';
  if (levoEnv.trim() === '') throw usage('--levo-env must not be empty.');
  return {
    satelliteUrl: stringFlag(a, 'satellite-url'), orgId: stringFlag(a, 'levoai-org-id'), levoEnv,
    image: stringFlag(a, 'image') ?? defaultImage(),
    cpu: integerFlag(a, 'cpu', 1) ?? 512, memory: integerFlag(a, 'memory', 1) ?? 512,
    logGroup: stringFlag(a, 'log-group'), filter: stringFlag(a, 'filter'),
    rateLimit: integerFlag(a, 'rate-limit', 0), traceExportInterval: interval,
    hostAllow: repeatedFlag(a, 'host-allow'), pathAllow: repeatedFlag(a, 'path-allow'),
    hostExclusions: repeatedFlag(a, 'host-exclusions'), pathExclusions: repeatedFlag(a, 'path-exclusions'),
  };
}

/** AWS region names: us-west-2, eu-central-1, us-gov-west-1, cn-north-1, ... */
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export function accountFlagsFrom(a: RawArgv): { profile: string; region?: string } {
  const region = stringFlag(a, 'region');
  if (region !== undefined && !REGION_NAME.test(region)) throw usage(`--region: '${region}' is not an AWS region name (such as us-west-2).`);
  const profile = stringFlag(a, 'profile') ?? 'default';
  if (profile.trim() === '') throw usage('--profile must not be empty.');
  return { profile, region };
}

export function targetFlagsFrom(a: RawArgv): TargetFlags & { dryRun: boolean; yes: boolean } {
  return {
    ...accountFlagsFrom(a), cluster: stringFlag(a, 'cluster'), service: stringFlag(a, 'service'),
    taskDefinition: stringFlag(a, 'task-definition'), endpoint: stringFlag(a, 'endpoint-url'),
    dryRun: booleanFlag(a, 'dry-run'), yes: booleanFlag(a, 'yes'),
  };
}

export function rolloutFrom(a: RawArgv): RolloutOptions {
  return { pollIntervalMs: secondsFlag(a, 'poll-interval'), timeoutMs: secondsFlag(a, 'timeout') };
}
