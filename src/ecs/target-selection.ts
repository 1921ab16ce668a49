// Shared first half of `ecs add` and `ecs remove`: profile -> region -> cluster -> task definition family ->
// service -> the revision that service runs. Flags answer what they can; the prompter asks for the rest (or, without
// a terminal, fails naming the flag).
//
// The base of the new revision is the revision the chosen service RUNS, not the family's latest: registering
// "latest + sensor" would also deploy whatever unrelated change sits in a newer revision.
import type { ECSClient, Service } from '@aws-sdk/client-ecs';
import { InstallerError } from './aws-errors.js';
import { AwsSession, noRegionReason, resolveRegion, sharedFiles, type SharedFiles } from './aws-session.js';
import {
  describeService, describeTaskDefinition, listClusters, listFamilies, listRegions, listServicesUsingFamily,
  type DescribedTaskDefinition,
} from './discovery.js';
import type { RolloutOptions } from './rollout.js';
import { familyOf, refuseDeploymentController, refuseNetworkMode, revisionLabel } from './safety-checks.js';
import { missingFlag, type Output, type Prompter } from './terminal.js';

/** Region used for the DescribeRegions call itself when no region is known yet. */
const BOOTSTRAP_REGION = 'us-east-1';

export interface TargetFlags {
  profile: string;
  region?: string;
  cluster?: string;
  service?: string;
  /** Family name (or "family:revision" / ARN: only its family is used); default: the family `service` runs. */
  taskDefinition?: string;
  /** Custom AWS endpoint (tests, LocalStack). */
  endpoint?: string;
}

/** How a run talks to the user and to time; tests inject all of it. */
export interface RunContext {
  prompter: Prompter;
  out: Output;
  rollout: RolloutOptions;
  files?: SharedFiles;
  env?: NodeJS.ProcessEnv;
  /** Clock for tags ("installed-at"). */
  now?: () => Date;
}

export interface SelectedTarget {
  session: AwsSession;
  region: string;
  ecs: ECSClient;
  cluster: string;
  family: string;
  service: Service;
  /** The revision the service runs, with its tags. */
  base: DescribedTaskDefinition;
}

/**
 * Picks the target. With `dryRun` the session's ECS clients refuse every call but Describe* and List*, so a dry
 * run cannot change anything even by mistake.
 */
export async function selectTarget(flags: TargetFlags & { dryRun?: boolean }, ctx: RunContext): Promise<SelectedTarget> {
  const { prompter, out } = ctx;
  const files = ctx.files ?? sharedFiles(ctx.env);
  const session = await AwsSession.open({ profile: flags.profile, endpoint: flags.endpoint, readOnly: flags.dryRun === true }, files);

  let region = resolveRegion(flags.region, flags.profile, files, ctx.env);
  if (!region) {
    if (!prompter.interactive) throw missingFlag('--region', `the AWS region; ${noRegionReason(flags.profile)}`);
    const { regions, fromBuiltInList } = await listRegions(session.ec2(BOOTSTRAP_REGION));
    if (fromBuiltInList) out.warn('Note: ec2:DescribeRegions is not permitted for this profile; showing the built-in region list.');
    region = await prompter.choose('AWS region', '--region', regions.map((r) => ({ value: r })));
  }
  const ecs = session.ecs(region);

  let cluster = flags.cluster;
  if (!cluster) {
    if (!prompter.interactive) throw missingFlag('--cluster', 'the ECS cluster');
    const clusters = await listClusters(ecs);
    cluster = await prompter.choose(`ECS cluster in ${region}`, '--cluster', clusters.map((c) => ({
      value: c.clusterName ?? c.clusterArn ?? '?',
      label: `${c.clusterName}  (${c.activeServicesCount ?? 0} services, ${c.runningTasksCount ?? 0} running tasks)`,
    })));
  }

  const named = flags.service ? await describeService(ecs, cluster, flags.service) : undefined;
  let family = flags.taskDefinition ? familyOf(flags.taskDefinition) : familyOf(named?.taskDefinition);
  if (!family) {
    if (!prompter.interactive) throw missingFlag('--task-definition', 'the task definition family');
    family = await prompter.choose('Task definition family', '--task-definition', (await listFamilies(ecs)).map((f) => ({ value: f })));
  }
  const latest = await describeTaskDefinition(ecs, family);
  refuse(refuseNetworkMode(latest.taskDefinition));

  let service: Service;
  if (named) {
    service = named;
    const runs = familyOf(service.taskDefinition);
    if (runs !== family) {
      throw new InstallerError(`service "${flags.service}" runs task definition family "${runs}", not "${family}". ` +
        'Pass the --task-definition the service runs.', 2);
    }
  } else {
    const candidates = await listServicesUsingFamily(ecs, cluster, family);
    if (candidates.length === 0) {
      throw new InstallerError(`no active service in cluster "${cluster}" runs task definition family "${family}".`, 2);
    }
    if (!prompter.interactive) throw missingFlag('--service', `the service (candidates: ${candidates.map((s) => s.serviceName).join(', ')})`);
    const name = await prompter.choose(`Service running ${family}`, '--service', candidates.map((s) => ({
      value: s.serviceName ?? '?',
      label: `${s.serviceName}  (${s.taskDefinition?.split('/').pop()}, ${s.runningCount ?? 0}/${s.desiredCount ?? 0} running)`,
    })));
    service = candidates.find((s) => s.serviceName === name) as Service;
  }
  refuse(refuseDeploymentController(service));

  let base = latest;
  if (service.taskDefinition && service.taskDefinition !== latest.taskDefinition.taskDefinitionArn) {
    base = await describeTaskDefinition(ecs, service.taskDefinition);
    out.warn(`Note: service "${service.serviceName}" runs ${revisionLabel(base.taskDefinition)}, not the latest ` +
      `${revisionLabel(latest.taskDefinition)}; the new revision is based on the one the service runs.`);
    refuse(refuseNetworkMode(base.taskDefinition));
  }
  return { session, region, ecs, cluster, family, service, base };
}

/** Throws the refusal reason, if any. Refusals exit with code 2 (nothing was changed). */
export function refuse(reason: string | null): void {
  if (reason !== null) throw new InstallerError(`refusing: ${reason}`, 2);
}
