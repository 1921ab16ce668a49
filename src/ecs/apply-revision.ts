// Shared second half of `ecs add` and `ecs remove`: show the plan, stop there on --dry-run, confirm, then
// RegisterTaskDefinition -> UpdateService -> tag/untag the service (warning only) -> follow the rollout.
import {
  RegisterTaskDefinitionCommand, TagResourceCommand, UntagResourceCommand, UpdateServiceCommand,
  type RegisterTaskDefinitionRequest, type Tag,
} from '@aws-sdk/client-ecs';
import { awsCall, InstallerError } from './aws-errors.js';
import { followRollout, rolloutAdvice, type RolloutResult } from './rollout.js';
import { revisionLabel } from './safety-checks.js';
import type { RunContext, SelectedTarget } from './target-selection.js';

export interface ApplyFlags { dryRun: boolean; yes: boolean }

export interface EcsRunResult {
  /** 0 done (or dry run), 1 failed, 2 refused / usage, 3 rollout still running at timeout. */
  exitCode: number;
  /** The registration input that was (or, on --dry-run, would have been) registered. */
  input?: RegisterTaskDefinitionRequest;
  registeredArn?: string;
  rollout?: RolloutResult;
}

export interface ApplyPlan {
  action: 'add' | 'remove';
  target: SelectedTarget;
  input: RegisterTaskDefinitionRequest;
  /** Human lines describing the change against the base revision. */
  changes: string[];
  /** Tags to set on the service (add) ... */
  serviceTags?: Tag[];
  /** ... or tag keys to remove from it (remove). */
  serviceUntagKeys?: string[];
}

export async function applyRevision(plan: ApplyPlan, flags: ApplyFlags, ctx: RunContext): Promise<EcsRunResult> {
  const { out, prompter } = ctx;
  const { target } = plan;
  const baseLabel = revisionLabel(target.base.taskDefinition);
  const serviceName = target.service.serviceName ?? '?';

  out.warn(`Changes to ${baseLabel} (service "${serviceName}", cluster "${target.cluster}", ${target.region}):`);
  for (const line of plan.changes) out.warn(`  ${line}`);
  if (flags.dryRun) {
    out.say(JSON.stringify(plan.input, null, 2));
    out.warn('Dry run: nothing was registered or updated.');
    return { exitCode: 0, input: plan.input };
  }
  if (!flags.yes) {
    const ok = await prompter.confirm(`Register a new revision of ${target.family} and deploy it to service "${serviceName}"?`);
    if (!ok) { out.warn('Cancelled: nothing was changed.'); return { exitCode: 1, input: plan.input }; }
  }

  const registered = await awsCall('ecs:RegisterTaskDefinition', () => target.ecs.send(new RegisterTaskDefinitionCommand(plan.input)));
  const newTd = registered.taskDefinition;
  const newArn = newTd?.taskDefinitionArn;
  if (!newTd || !newArn) throw new InstallerError('RegisterTaskDefinition returned no task definition.');
  out.say(`Registered ${revisionLabel(newTd)} (${newArn}).`);

  try {
    await awsCall('ecs:UpdateService', () => target.ecs.send(new UpdateServiceCommand({
      cluster: target.cluster, service: serviceName, taskDefinition: newArn,
    })));
  } catch (err) {
    const e = err as InstallerError;
    throw new InstallerError(`${e.message}\nThe new revision ${revisionLabel(newTd)} is registered, but service "${serviceName}" ` +
      `still runs ${baseLabel}. Once fixed, deploy it with: aws ecs update-service --region ${target.region} ` +
      `--cluster ${target.cluster} --service ${serviceName} --task-definition ${newArn}`, e.exitCode ?? 1, e.awsErrorName);
  }
  out.say(`Updated service "${serviceName}" to ${revisionLabel(newTd)}; following the deployment.`);

  await tagService(plan, ctx);

  const rolloutTarget = { cluster: target.cluster, service: serviceName, taskDefinitionArn: newArn };
  const rollout = await followRollout(target.ecs, rolloutTarget, ctx.rollout, out);
  const advice = rolloutAdvice(rollout, rolloutTarget, target.region, plan.action);
  for (const line of advice) {
    if (rollout.state === 'COMPLETED') out.say(line);
    else out.warn(line);
  }
  const exitCode = rollout.state === 'COMPLETED' ? 0 : rollout.state === 'FAILED' ? 1 : 3;
  return { exitCode, input: plan.input, registeredArn: newArn, rollout };
}

/** Marks (or unmarks) the service. A failure is a warning: the sensor itself is already deployed or removed. */
async function tagService(plan: ApplyPlan, ctx: RunContext): Promise<void> {
  const arn = plan.target.service.serviceArn;
  if (!arn) return;
  try {
    if (plan.serviceTags && plan.serviceTags.length > 0) {
      const tags = plan.serviceTags;
      await awsCall('ecs:TagResource', () => plan.target.ecs.send(new TagResourceCommand({ resourceArn: arn, tags })));
    }
    if (plan.serviceUntagKeys && plan.serviceUntagKeys.length > 0) {
      const tagKeys = plan.serviceUntagKeys;
      await awsCall('ecs:UntagResource', () => plan.target.ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys })));
    }
  } catch (err) {
    ctx.out.warn(`Warning: could not update the service's tags (the deployment goes on).\n${(err as Error).message}`);
  }
}
