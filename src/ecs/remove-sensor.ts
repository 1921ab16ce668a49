// `ecs remove`: register a copy of the revision the service runs WITHOUT the sensor, deploy it, untag the service.
//
// Why a new revision instead of going back to the one before the sensor: the service may have been changed since
// the sensor was added (new image of the app, new env), and going back would silently undo that. The copy keeps
// everything except the sensor container, references to it (dependsOn, volumesFrom, links) and the installer tags.
import { applyRevision, type ApplyFlags, type EcsRunResult } from './apply-revision.js';
import { INSTALLER_TAG_KEYS, INSTALLER_TAG_PREFIX } from './installer-tags.js';
import { refuseNotInstrumented, revisionLabel } from './safety-checks.js';
import { sensorContainersOf } from './sidecar.js';
import { refuse, selectTarget, type RunContext, type TargetFlags } from './target-selection.js';
import { copyTaskDefinition, withoutSensor } from './task-definition-copy.js';

export type RemoveFlags = TargetFlags & ApplyFlags;

export async function runEcsRemove(flags: RemoveFlags, ctx: RunContext): Promise<EcsRunResult> {
  const target = await selectTarget(flags, ctx);
  const base = target.base.taskDefinition;
  refuse(refuseNotInstrumented(base));

  const copy = copyTaskDefinition(base, target.base.tags);
  if (copy.droppedReservedTags.length > 0) {
    ctx.out.warn(`Note: AWS-reserved tags are not copied to the new revision: ${copy.droppedReservedTags.join(', ')}.`);
  }
  const input = withoutSensor(copy.input, INSTALLER_TAG_PREFIX);
  if ((input.containerDefinitions ?? []).length === 0) {
    refuse(`${revisionLabel(base)} has no container besides the sensor; removing it would leave an empty task definition.`);
  }
  const removedTags = (copy.input.tags ?? []).filter((t) => (t.key ?? '').startsWith(INSTALLER_TAG_PREFIX));
  const changes = [
    ...sensorContainersOf(base).map((c) => `- container "${c.name}" (${c.image})`),
    ...(removedTags.length > 0 ? [`- tags ${removedTags.map((t) => t.key).join(', ')} (revision and service)`] : []),
    `  every other field is copied from ${revisionLabel(base)} unchanged`,
  ];
  return applyRevision({ action: 'remove', target, input, changes, serviceUntagKeys: [...INSTALLER_TAG_KEYS] }, flags, ctx);
}
