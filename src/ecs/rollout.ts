// Following a service deployment after UpdateService until it completes, fails or the time runs out.
// One DescribeServices per poll; a progress line per poll. Time is injectable (sleep, now) for tests.
import { type Deployment, type ECSClient } from '@aws-sdk/client-ecs';
import { describeService } from './discovery.js';
import type { Output } from './terminal.js';

export interface RolloutTarget { cluster: string; service: string; taskDefinitionArn: string }

export interface RolloutOptions {
  pollIntervalMs: number;
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export type RolloutState = 'COMPLETED' | 'FAILED' | 'TIMED_OUT';

export interface RolloutResult {
  state: RolloutState;
  /** AWS's rolloutStateReason, or why the installer decided the state. */
  reason: string;
  /** The deployment of the new task definition at the last poll, when there was one. */
  deployment?: Deployment;
  polls: number;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** "IN_PROGRESS  running 1/2  pending 1  failed 0" for one deployment. */
export function progressLine(d: Deployment, elapsedMs: number): string {
  return `[${Math.round(elapsedMs / 1000)}s] ${d.rolloutState ?? d.status ?? '?'}  running ${d.runningCount ?? 0}/` +
    `${d.desiredCount ?? 0}  pending ${d.pendingCount ?? 0}  failed ${d.failedTasks ?? 0}`;
}

/**
 * Polls until the deployment of `target.taskDefinitionArn` is COMPLETED or FAILED, or `timeoutMs` passed.
 * A deployment that disappeared while another task definition is PRIMARY was rolled back: FAILED.
 * Deployments without rolloutState (older services) count as completed when they are the only one and all
 * desired tasks run.
 */
export async function followRollout(ecs: ECSClient, target: RolloutTarget, opts: RolloutOptions, out: Output): Promise<RolloutResult> {
  const sleep = opts.sleep ?? realSleep;
  const now = opts.now ?? Date.now;
  const start = now();
  let polls = 0;
  let last: Deployment | undefined;
  for (;;) {
    const service = await describeService(ecs, target.cluster, target.service);
    polls++;
    const deployments = service.deployments ?? [];
    const ours = deployments.find((d) => d.taskDefinition === target.taskDefinitionArn);
    if (!ours) {
      out.endProgress();
      const primary = deployments.find((d) => d.status === 'PRIMARY');
      return { state: 'FAILED', polls, deployment: last,
        reason: `the deployment of the new revision is gone; the service now runs ${primary?.taskDefinition ?? 'another revision'} ` +
          '(rolled back, or another update replaced it)' };
    }
    last = ours;
    out.progress(progressLine(ours, now() - start));
    if (ours.rolloutState === 'COMPLETED') { out.endProgress(); return { state: 'COMPLETED', reason: ours.rolloutStateReason ?? 'deployment completed', deployment: ours, polls }; }
    if (ours.rolloutState === 'FAILED') { out.endProgress(); return { state: 'FAILED', reason: ours.rolloutStateReason ?? 'deployment failed', deployment: ours, polls }; }
    if (ours.rolloutState === undefined && deployments.length === 1 && (ours.runningCount ?? 0) >= (ours.desiredCount ?? 0)) {
      out.endProgress();
      return { state: 'COMPLETED', reason: 'all desired tasks are running', deployment: ours, polls };
    }
    const elapsed = now() - start;
    if (elapsed + opts.pollIntervalMs > opts.timeoutMs) {
      out.endProgress();
      return { state: 'TIMED_OUT', reason: `still ${ours.rolloutState ?? 'in progress'} after ${Math.round(elapsed / 1000)} s`, deployment: ours, polls };
    }
    await sleep(opts.pollIntervalMs);
  }
}

/** What the user should do after a rollout ended the way it did. Lines for `Output.say`/`warn`. */
export function rolloutAdvice(result: RolloutResult, target: RolloutTarget, region: string, action: 'add' | 'remove'): string[] {
  const check = `aws ecs describe-services --region ${region} --cluster ${target.cluster} --services ${target.service}`;
  const stopped = `aws ecs list-tasks --region ${region} --cluster ${target.cluster} --service-name ${target.service} --desired-status STOPPED`;
  switch (result.state) {
    case 'COMPLETED':
      return action === 'add'
        ? [`Deployment completed: ${target.service} now runs ${target.taskDefinitionArn} with the sensor.`,
          'The sensor sends traces to the satellite; its own logs are in the CloudWatch log group given to the container.']
        : [`Deployment completed: ${target.service} now runs ${target.taskDefinitionArn} without the sensor.`];
    case 'FAILED':
      return [`Deployment FAILED: ${result.reason}.`,
        `Find why tasks stopped: ${stopped}, then aws ecs describe-tasks on them (stoppedReason), and the container logs.`,
        'Common causes: the task lacks memory or cpu for the extra container, the execution role may not pull the image ' +
        'or create the log group (logs:CreateLogGroup), or the image is for another CPU architecture.',
        ...(action === 'add' ? ['To take the sensor out again: pcap-sensor ecs remove with the same --cluster and --service.'] : [])];
    case 'TIMED_OUT':
      return [`Stopped watching: ${result.reason}. ECS keeps deploying; nothing was rolled back.`,
        `Watch it with: ${check}`];
  }
}
