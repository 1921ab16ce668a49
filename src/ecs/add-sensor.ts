// `ecs add`: copy the revision a service runs, append the sensor sidecar, register, deploy, follow.
import { regexList } from '../config/regex-list.js';
import { satelliteUrl } from '../config/satellite-url.js';
import { InstallerError } from './aws-errors.js';
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

/** Throws (exit 2) unless the sensor would accept `url` as --satellite-url (src/config/satellite-url.ts). */
export function checkSatelliteUrl(url: string): void {
  try { satelliteUrl('satellite-url')(url); } catch (err) { throw new InstallerError(`${(err as Error).message}.`, 2); }
}

/**
 * Throws (exit 2) naming the flag when the sensor would refuse one of the regexes at start-up: the same
 * rules (src/config/regex-list.ts: JavaScript syntax, a leading (?i), a JSON list expanded).
 */
export function checkRegexes(flags: Pick<SensorFlags, 'hostAllow' | 'pathAllow' | 'hostExclusions' | 'pathExclusions'>): void {
  const groups: [string, readonly string[]][] = [['host-allow', flags.hostAllow], ['path-allow', flags.pathAllow],
    ['host-exclusions', flags.hostExclusions], ['path-exclusions', flags.pathExclusions]];
  for (const [flag, list] of groups) {
    try { regexList(flag)(list); } catch (err) { throw new InstallerError(`${(err as Error).message}.`, 2); }
  }
}

/** Fills satellite URL and org id (asking on a terminal), region and log group; validates. */
export async function completeSensorSettings(flags: SensorFlags, region: string, defaultLogGroup: string,
  prompter: Prompter): Promise<SensorSettings> {
  const satelliteUrl = flags.satelliteUrl ?? await prompter.text('Satellite URL (http(s)://host:port)', '--satellite-url');
  checkSatelliteUrl(satelliteUrl);
  const orgId = flags.orgId ?? await prompter.text('Levo organization id', '--levoai-org-id');
  if (orgId.trim() === '') throw new InstallerError('--levoai-org-id must not be empty.', 2);
  checkRegexes(flags);
  for (const [flag, n] of [['--cpu', flags.cpu], ['--memory', flags.memory]] as const) {
    if (!Number.isInteger(n) || n <= 0) throw new InstallerError(`${flag} must be a positive integer (got ${n}).`, 2);
  }
  return { ...flags, satelliteUrl, orgId, region, logGroup: flags.logGroup ?? defaultLogGroup };
}

/** What the flags alone can show wrong, checked before any AWS call (without a terminal, a missing value too). */
function precheckSensorFlags(flags: SensorFlags, prompter: Prompter): void {
  if (flags.satelliteUrl !== undefined) checkSatelliteUrl(flags.satelliteUrl);
  else if (!prompter.interactive) throw missingFlag('--satellite-url', 'the satellite URL');
  if (flags.orgId === undefined && !prompter.interactive) throw missingFlag('--levoai-org-id', 'the Levo organization id');
  checkRegexes(flags);
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
