// The flags of the `ecs` commands: their yargs declarations and the one place that reads them back.
//
// Contract: every value is checked by the sensor's own parsers (src/config/), run as yargs coercions before any
// AWS call, so a value that `apidump` refuses is refused here with the same message, and a sidecar never fails
// at start-up on a flag the installer wrote into it; a refusal is a usage error (exit 2) printed by
// src/cli/main.ts as one line naming the flag. Only the installer's own flags (--region, --cpu, ...) have
// rules of their own. Every flag is read back by its dashed name (`argv['satellite-url']`), never by a
// camel-cased alias; the readers take a key of the declaration tables, so a misspelt name fails to compile.
// This module loads no AWS SDK code: src/cli/main.ts declares the commands with it in every run.
import type { Options } from 'yargs';
import type { SensorFlags } from './add-sensor.js';
import { defaultImage } from './installer-tags.js';
import type { RolloutOptions } from './rollout.js';
import type { TargetFlags } from './target-selection.js';
import { asTyped, listFlag, valueFlag } from '../config/flag-options.js';
import { bpfFilter } from '../config/bpf-filter.js';
import { regexList } from '../config/regex-list.js';
import { satelliteUrl } from '../config/satellite-url.js';
import { nonEmpty, positiveNumber, quoted, text, traceExportInterval, wholeNumber } from '../config/values.js';
import { UsageError } from '../config/usage-error.js';

/** Defaults of --poll-interval and --timeout: poll every 15 s, give up after 5 minutes (the deployment itself goes on). */
const DEFAULT_POLL_INTERVAL_MS = 15_000;
const DEFAULT_ROLLOUT_TIMEOUT_MS = 300_000;

/** AWS region names: us-west-2, eu-central-1, us-gov-west-1, cn-north-1, ... */
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * The parser of a region name, whatever gives it: --region, and the profile or the variable that gives it when
 * the flag does not (src/ecs/aws-session.ts, `resolveRegion`).
 */
export function awsRegion(v: unknown): string {
  const expected = 'an AWS region name such as us-west-2';
  const s = text('region', expected, v);
  if (!REGION_NAME.test(s)) throw new UsageError(`--region: expected ${expected}, got ${quoted(v)}`);
  return s;
}

/** Flags that shape the sidecar (`ecs add`, `ecs container-definition`): the sensor's flags, the sensor's rules. */
export const SENSOR_OPTIONS = {
  'satellite-url': { ...valueFlag(satelliteUrl('satellite-url')), describe: 'Satellite URL, http(s)://host:port' },
  'levo-env': { ...valueFlag(nonEmpty('levo-env', 'an environment name')), default: 'staging', describe: 'Application environment the traces show up under' },
  'levoai-org-id': { ...valueFlag(nonEmpty('levoai-org-id', 'an organization ID')), describe: 'Levo organization id' },
  filter: { ...valueFlag(bpfFilter('filter')), describe: 'pcap-filter(7) expression' },
  'rate-limit': { ...valueFlag(wholeNumber('rate-limit')), describe: 'Traces per minute, a whole number (0 = no limit)' },
  'host-allow': { ...listFlag('host-allow', regexList('host-allow')), describe: 'Regex of hosts to keep (repeat the flag for more; not comma-split)' },
  'path-allow': { ...listFlag('path-allow', regexList('path-allow')), describe: 'Regex of paths to keep (repeatable)' },
  'host-exclusions': { ...listFlag('host-exclusions', regexList('host-exclusions')), describe: 'Regex of hosts to drop (repeatable)' },
  'path-exclusions': { ...listFlag('path-exclusions', regexList('path-exclusions')), describe: 'Regex of paths to drop (repeatable)' },
  // forwarded as typed (`2m` stays `2m` in the sidecar's entry point)
  'trace-export-interval': { ...valueFlag(asTyped(traceExportInterval)), describe: 'Time between trace exports, 10 ms to 24 h: 10, 2.5, 500ms, 10s, 2m, 1h' },
  image: { ...valueFlag(nonEmpty('image', 'an image reference')), default: defaultImage(), describe: 'Sensor image' },
  cpu: { ...valueFlag(wholeNumber('cpu', 1)), default: 512, describe: 'Sidecar CPU units, a whole number (1024 = 1 vCPU)' },
  memory: { ...valueFlag(wholeNumber('memory', 1)), default: 512, describe: 'Sidecar memory limit, MiB (whole number)' },
  'log-group': { ...valueFlag(nonEmpty('log-group', 'a log group name')), describe: 'CloudWatch log group of the sidecar (default /ecs/<family>-pcap)' },
} as const satisfies Record<string, Options>;

/** Flags that pick the AWS account and region (every ecs command). */
export const ACCOUNT_OPTIONS = {
  profile: { ...valueFlag(nonEmpty('profile', 'a profile name')), default: 'default', describe: 'AWS profile in ~/.aws/credentials (or /aws/credentials)' },
  region: { ...valueFlag(awsRegion), describe: 'AWS region (default: the profile\'s, then LEVO_AWS_REGION, AWS_REGION)' },
} as const satisfies Record<string, Options>;

/** Flags that pick and change a service (`ecs add`, `ecs remove`). */
export const TARGET_OPTIONS = {
  cluster: { ...valueFlag(nonEmpty('cluster', 'a cluster name')), describe: 'ECS cluster name' },
  service: { ...valueFlag(nonEmpty('service', 'a service name')), describe: 'ECS service name' },
  'task-definition': { ...valueFlag(nonEmpty('task-definition', 'a task definition family')), describe: 'Task definition family (default: the one --service runs)' },
  'dry-run': { type: 'boolean', default: false, describe: 'Print the new task definition; change nothing' },
  yes: { type: 'boolean', alias: 'y', default: false, describe: 'Do not ask for confirmation' },
  timeout: { ...valueFlag(positiveNumber('timeout')), default: DEFAULT_ROLLOUT_TIMEOUT_MS / 1000, describe: 'Seconds to follow the deployment' },
  'poll-interval': { ...valueFlag(positiveNumber('poll-interval')), default: DEFAULT_POLL_INTERVAL_MS / 1000, hidden: true, describe: 'Seconds between deployment polls' },
  'endpoint-url': { ...valueFlag(nonEmpty('endpoint-url', 'a URL')), hidden: true, describe: 'Custom AWS endpoint (testing)' },
} as const satisfies Record<string, Options>;

/** The flags of each subcommand (also what src/cli/main.ts checks for repetition before parsing). */
export const SUBCOMMAND_OPTIONS = {
  add: { ...SENSOR_OPTIONS, ...ACCOUNT_OPTIONS, ...TARGET_OPTIONS },
  remove: { ...ACCOUNT_OPTIONS, ...TARGET_OPTIONS },
  'container-definition': { ...SENSOR_OPTIONS, ...ACCOUNT_OPTIONS },
} as const satisfies Record<string, Record<string, Options>>;

type FlagName = keyof typeof SENSOR_OPTIONS | keyof typeof ACCOUNT_OPTIONS | keyof typeof TARGET_OPTIONS;
/** Parsed argv as yargs hands it to a handler, every value already coerced by its parser. */
export type RawArgv = Record<string, unknown>;

/** The parsed value of one flag (its parser's result type; undefined when absent without default). */
function value<T>(a: RawArgv, name: FlagName): T {
  return a[name] as T;
}

/** Sensor flags as typed; cpu and memory always have a value (their defaults). */
export function sensorFlagsFrom(a: RawArgv): SensorFlags {
  return {
    satelliteUrl: value(a, 'satellite-url'), orgId: value(a, 'levoai-org-id'), levoEnv: value(a, 'levo-env'),
    image: value(a, 'image'), cpu: value(a, 'cpu'), memory: value(a, 'memory'),
    logGroup: value(a, 'log-group'), filter: value(a, 'filter'),
    rateLimit: value(a, 'rate-limit'), traceExportInterval: value(a, 'trace-export-interval'),
    hostAllow: value(a, 'host-allow'), pathAllow: value(a, 'path-allow'),
    hostExclusions: value(a, 'host-exclusions'), pathExclusions: value(a, 'path-exclusions'),
  };
}

export function accountFlagsFrom(a: RawArgv): { profile: string; region?: string } {
  return { profile: value(a, 'profile'), region: value(a, 'region') };
}

export function targetFlagsFrom(a: RawArgv): TargetFlags & { dryRun: boolean; yes: boolean } {
  return {
    ...accountFlagsFrom(a), cluster: value(a, 'cluster'), service: value(a, 'service'),
    taskDefinition: value(a, 'task-definition'), endpoint: value(a, 'endpoint-url'),
    dryRun: value(a, 'dry-run'), yes: value(a, 'yes'),
  };
}

export function rolloutFrom(a: RawArgv): RolloutOptions {
  return { pollIntervalMs: value<number>(a, 'poll-interval') * 1000, timeoutMs: value<number>(a, 'timeout') * 1000 };
}
