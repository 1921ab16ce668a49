// `ecs add`: copy the revision a service runs, append the sensor sidecar, register, deploy, follow.
import { withSource } from '../config/usage-error.js';
import { SENSOR_OPTIONS } from './cli-flags.js';
import { applyRevision, type ApplyFlags, type EcsRunResult } from './apply-revision.js';
import { installerTags } from './installer-tags.js';
import { refuseAlreadyInstrumented, refuseNetworkMode, refuseResources, revisionLabel } from './safety-checks.js';
import { buildSensorContainer, type SensorSettings } from './sidecar.js';
import { refuse, selectTarget, type RunContext, type TargetFlags } from './target-selection.js';
import { copyTaskDefinition, withSensor } from './task-definition-copy.js';
import { missingFlag, type Prompter } from './terminal.js';

/** Sensor settings as flags give them: region and log group are filled in from the target when absent. */
export type SensorFlags = Omit<SensorSettings, 'region' | 'logGroup' | 'satelliteUrl' | 'orgId'> & {
  satelliteUrl?: string;
  orgId?: string;
  logGroup?: string;
};

export type AddFlags = TargetFlags & ApplyFlags & { sensor: SensorFlags };

/**
 * An answer typed at the prompt, checked by its flag's parser as a flag's value is while the flags are parsed
 * (src/ecs/cli-flags.ts); a refusal is a usage error (exit 2) saying the value was typed at the prompt.
 */
function checkTyped(flag: 'satellite-url' | 'levoai-org-id', answer: string): string {
  return withSource('typed at the prompt', () => SENSOR_OPTIONS[flag].coerce(answer));
}

/** Fills satellite URL and org id (asking on a terminal; an answer is checked), region and log group. */
export async function completeSensorSettings(flags: SensorFlags, region: string, defaultLogGroup: string,
  prompter: Prompter): Promise<SensorSettings> {
  const satelliteUrl = flags.satelliteUrl ?? checkTyped('satellite-url', await prompter.text('Satellite URL (http(s)://host:port)', '--satellite-url'));
  const orgId = flags.orgId ?? checkTyped('levoai-org-id', await prompter.text('Levo organization id', '--levoai-org-id'));
  return { ...flags, satelliteUrl, orgId, region, logGroup: flags.logGroup ?? defaultLogGroup };
}

/** Without a terminal, a value the flags leave out is refused before any AWS call. */
function precheckSensorFlags(flags: SensorFlags, prompter: Prompter): void {
  if (prompter.interactive) return;
  if (flags.satelliteUrl === undefined) throw missingFlag('--satellite-url', 'the satellite URL');
  if (flags.orgId === undefined) throw missingFlag('--levoai-org-id', 'the Levo organization id');
}

export async function runEcsAdd(flags: AddFlags, ctx: RunContext): Promise<EcsRunResult> {
  precheckSensorFlags(flags.sensor, ctx.prompter);
  const target = await selectTarget(flags, ctx);
  const base = target.base.taskDefinition;
  refuse(refuseNetworkMode(base));
  refuse(refuseAlreadyInstrumented(base));
  refuse(refuseResources(base, flags.sensor.cpu, flags.sensor.memory));

  const settings = await completeSensorSettings(flags.sensor, target.region, `/ecs/${target.family}-pcap`, ctx.prompter);
  const copy = copyTaskDefinition(base, target.base.tags);
  if (copy.droppedReservedTags.length > 0) {
    ctx.out.warn(`Note: AWS-reserved tags are not copied to the new revision: ${copy.droppedReservedTags.join(', ')}.`);
  }
  const tags = installerTags((ctx.now ?? (() => new Date()))());
  const input = withSensor(copy.input, buildSensorContainer(settings), tags);
  const changes = [
    `+ container "levo-pcap-sensor": image ${settings.image}, cpu ${settings.cpu}, memory ${settings.memory} MiB, ` +
      `essential false, logs to ${settings.logGroup}`,
    `+ tags on the revision and the service: ${tags.map((t) => `${t.key}=${t.value}`).join(', ')}`,
    `  every other field is copied from ${revisionLabel(base)} unchanged`,
  ];
  return applyRevision({ action: 'add', target, input, changes, serviceTags: tags }, flags, ctx);
}
