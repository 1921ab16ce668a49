// Read-only AWS look-ups of the installer: regions, clusters, task definition families, task definitions and the
// services that run a family. Every call names its IAM action (awsCall). Pagination is followed to the end;
// DescribeServices is called with at most MAX_SERVICES_PER_DESCRIBE names, the API's limit.
import {
  DescribeClustersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ListClustersCommand,
  ListServicesCommand, ListTaskDefinitionFamiliesCommand,
  type Cluster, type ECSClient, type Service, type Tag, type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { awsCall, describeAwsFailure, InstallerError, isAccessDenied } from './aws-errors.js';
import { familyOf } from './safety-checks.js';

/** DescribeServices accepts at most 10 services per call (InvalidParameterException beyond). */
export const MAX_SERVICES_PER_DESCRIBE = 10;
/** DescribeClusters accepts at most 100 clusters per call. */
export const MAX_CLUSTERS_PER_DESCRIBE = 100;
/** Page size asked of the List* calls (the API maximum is 100). */
const LIST_PAGE_SIZE = 100;

/** Commercial regions with ECS, used when ec2:DescribeRegions is not permitted. */
export const BUILT_IN_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-south-1', 'ap-south-2',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3',
  'ap-southeast-4', 'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2',
  'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1', 'il-central-1', 'me-south-1', 'me-central-1', 'sa-east-1',
];

export interface RegionList { regions: string[]; fromBuiltInList: boolean }

/** Enabled regions; the built-in list when DescribeRegions is denied (other failures are errors). */
export async function listRegions(ec2: EC2Client): Promise<RegionList> {
  try {
    const out = await ec2.send(new DescribeRegionsCommand({}));
    const regions = (out.Regions ?? []).map((r) => r.RegionName).filter((n): n is string => !!n).sort();
    return { regions, fromBuiltInList: false };
  } catch (err) {
    if (isAccessDenied(err)) return { regions: [...BUILT_IN_REGIONS], fromBuiltInList: true };
    throw describeAwsFailure('ec2:DescribeRegions', err);
  }
}

/** Clusters of the region, described (name, status, counts), sorted by name. */
export async function listClusters(ecs: ECSClient): Promise<Cluster[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall('ecs:ListClusters', () => ecs.send(new ListClustersCommand({ nextToken, maxResults: LIST_PAGE_SIZE })));
    arns.push(...(page.clusterArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const clusters: Cluster[] = [];
  for (let i = 0; i < arns.length; i += MAX_CLUSTERS_PER_DESCRIBE) {
    const chunk = arns.slice(i, i + MAX_CLUSTERS_PER_DESCRIBE);
    const out = await awsCall('ecs:DescribeClusters', () => ecs.send(new DescribeClustersCommand({ clusters: chunk })));
    clusters.push(...(out.clusters ?? []));
  }
  return clusters.sort((a, b) => (a.clusterName ?? '').localeCompare(b.clusterName ?? ''));
}

/** Names of task definition families with at least one ACTIVE revision. */
export async function listFamilies(ecs: ECSClient): Promise<string[]> {
  const families: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall('ecs:ListTaskDefinitionFamilies',
      () => ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'ACTIVE', nextToken, maxResults: LIST_PAGE_SIZE })));
    families.push(...(page.families ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return families.sort();
}

export interface DescribedTaskDefinition { taskDefinition: TaskDefinition; tags: Tag[] }

/** A task definition ("family" = latest ACTIVE revision, "family:rev" or ARN) with its tags. */
export async function describeTaskDefinition(ecs: ECSClient, ref: string): Promise<DescribedTaskDefinition> {
  const out = await awsCall('ecs:DescribeTaskDefinition',
    () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] })));
  if (!out.taskDefinition) throw new InstallerError(`task definition "${ref}" was not returned by DescribeTaskDefinition.`);
  return { taskDefinition: out.taskDefinition, tags: out.tags ?? [] };
}

/** Describes services by name or ARN in chunks of MAX_SERVICES_PER_DESCRIBE; names AWS did not find are returned too. */
export async function describeServices(ecs: ECSClient, cluster: string, names: readonly string[]):
  Promise<{ services: Service[]; missing: string[] }> {
  const services: Service[] = [];
  const missing: string[] = [];
  for (let i = 0; i < names.length; i += MAX_SERVICES_PER_DESCRIBE) {
    const chunk = names.slice(i, i + MAX_SERVICES_PER_DESCRIBE);
    const out = await awsCall('ecs:DescribeServices', () => ecs.send(new DescribeServicesCommand({ cluster, services: chunk })));
    services.push(...(out.services ?? []));
    for (const f of out.failures ?? []) missing.push(f.arn ?? '?');
  }
  return { services, missing };
}

/** One service; an InstallerError when the cluster has no such service (or it is INACTIVE, i.e. deleted). */
export async function describeService(ecs: ECSClient, cluster: string, name: string): Promise<Service> {
  const { services } = await describeServices(ecs, cluster, [name]);
  const service = services.find((s) => s.status !== 'INACTIVE');
  if (!service) throw new InstallerError(`cluster "${cluster}" has no active service "${name}".`);
  return service;
}

/** Active services of the cluster whose current task definition belongs to `family`, sorted by name. */
export async function listServicesUsingFamily(ecs: ECSClient, cluster: string, family: string): Promise<Service[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall('ecs:ListServices',
      () => ecs.send(new ListServicesCommand({ cluster, nextToken, maxResults: LIST_PAGE_SIZE })));
    arns.push(...(page.serviceArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const { services } = await describeServices(ecs, cluster, arns);
  return services
    .filter((s) => s.status !== 'INACTIVE' && familyOf(s.taskDefinition) === family)
    .sort((a, b) => (a.serviceName ?? '').localeCompare(b.serviceName ?? ''));
}
