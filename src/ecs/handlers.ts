// What the `ecs` subcommands run, once their flags are parsed and checked (src/ecs/cli-flags.ts). This module
// loads the AWS SDK; src/ecs/command.ts imports it only when an ecs subcommand runs.
import { UsageError } from '../config/usage-error.js';
import { noRegionReason, resolveRegion, sharedFiles } from './aws-session.js';
import { runEcsAdd, completeSensorSettings } from './add-sensor.js';
import { accountFlagsFrom, rolloutFrom, sensorFlagsFrom, targetFlagsFrom, type RawArgv } from './cli-flags.js';
import { runEcsRemove } from './remove-sensor.js';
import { buildSensorContainer } from './sidecar.js';
import type { RunContext } from './target-selection.js';
import { nonInteractivePrompter, type Output } from './terminal.js';

/** `ecs container-definition`: the sidecar JSON from the flags (no AWS calls). Returns the exit code. */
export async function runContainerDefinition(a: RawArgv, out: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const sensor = sensorFlagsFrom(a);
  if (sensor.satelliteUrl === undefined) throw new UsageError('--satellite-url: required: where the sensor sends traces, http(s)://host:port');
  if (sensor.orgId === undefined) throw new UsageError('--levoai-org-id: required: the Levo organization ID the traces belong to');
  const { profile, region: regionFlag } = accountFlagsFrom(a);
  const region = resolveRegion(regionFlag, profile, sharedFiles(env), env);
  if (!region) {
    throw new UsageError(`--region: required: the sidecar's LEVO_AWS_REGION and awslogs-region; ${noRegionReason(profile)}`);
  }
  const settings = await completeSensorSettings(sensor, region, '/ecs/levo-pcap-sensor', nonInteractivePrompter);
  out.say(JSON.stringify(buildSensorContainer(settings), null, 2));
  return 0;
}

/** `ecs add`. Returns the exit code. */
export async function runAdd(a: RawArgv, ctx: Omit<RunContext, 'rollout'>): Promise<number> {
  const flags = { ...targetFlagsFrom(a), sensor: sensorFlagsFrom(a) };
  return (await runEcsAdd(flags, { ...ctx, rollout: rolloutFrom(a) })).exitCode;
}

/** `ecs remove`. Returns the exit code. */
export async function runRemove(a: RawArgv, ctx: Omit<RunContext, 'rollout'>): Promise<number> {
  return (await runEcsRemove(targetFlagsFrom(a), { ...ctx, rollout: rolloutFrom(a) })).exitCode;
}
