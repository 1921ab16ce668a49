// Turning a described task definition back into a RegisterTaskDefinition input, with or without the sensor.
//
// Contract: the copy carries EVERY registrable field of the original. The registrable fields are the keys of the
// SDK's RegisterTaskDefinitionRequest; REGISTRABLE_FIELDS lists them, and the compile-time checks below fail
// `tsc` when the SDK adds a key the list does not name (test/ecs/copy-fields.test.ts checks the same at run time
// against the installed SDK's declaration file). Values are deep-copied (structuredClone): the input never
// aliases the described definition.
import type { ContainerDefinition, RegisterTaskDefinitionRequest, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { isSensorContainer, SENSOR_CONTAINER_NAME } from './sidecar.js';

export const REGISTRABLE_FIELDS = [
  'family', 'taskRoleArn', 'executionRoleArn', 'networkMode', 'containerDefinitions', 'volumes',
  'placementConstraints', 'requiresCompatibilities', 'cpu', 'memory', 'tags', 'pidMode', 'ipcMode',
  'proxyConfiguration', 'inferenceAccelerators', 'ephemeralStorage', 'runtimePlatform', 'enableFaultInjection',
] as const satisfies readonly (keyof RegisterTaskDefinitionRequest)[];

type Listed = (typeof REGISTRABLE_FIELDS)[number];
/** Keys the SDK's input type has and the list lacks: must be empty. */
type Unlisted = Exclude<keyof RegisterTaskDefinitionRequest, Listed>;
const everyRegistrableFieldListed: [Unlisted] extends [never] ? true : { unlistedKeys: Unlisted } = true;
/** `tags` come from DescribeTaskDefinition's response, every other field from the TaskDefinition itself. */
type NotOnTaskDefinition = Exclude<Exclude<Listed, 'tags'>, keyof TaskDefinition>;
const everyFieldReadable: [NotOnTaskDefinition] extends [never] ? true : { missingOnTaskDefinition: NotOnTaskDefinition } = true;
void everyRegistrableFieldListed; void everyFieldReadable;

/** Tag keys starting with this are reserved by AWS and refused by RegisterTaskDefinition: not copied. */
const AWS_RESERVED_TAG_PREFIX = 'aws:';

export interface CopiedDefinition {
  input: RegisterTaskDefinitionRequest;
  /** Tags left out because AWS reserves them (e.g. aws:cloudformation:stack-name); reported to the user. */
  droppedReservedTags: string[];
}

/** The registration input that would recreate `td` (with `tags`, as DescribeTaskDefinition include=TAGS gave them). */
export function copyTaskDefinition(td: TaskDefinition, tags: readonly Tag[] | undefined): CopiedDefinition {
  const input: Record<string, unknown> = {};
  for (const key of REGISTRABLE_FIELDS) {
    if (key === 'tags') continue;
    const value = td[key];
    if (value !== undefined && value !== null) input[key] = structuredClone(value);
  }
  const droppedReservedTags: string[] = [];
  const keptTags: Tag[] = [];
  for (const tag of tags ?? []) {
    if (tag.key !== undefined && tag.key.toLowerCase().startsWith(AWS_RESERVED_TAG_PREFIX)) droppedReservedTags.push(tag.key);
    else keptTags.push({ ...tag });
  }
  if (keptTags.length > 0) input['tags'] = keptTags;
  return { input: input as unknown as RegisterTaskDefinitionRequest, droppedReservedTags };
}

/** Tags with `set` applied over `base` (same key replaced, order kept, new keys appended). */
export function mergeTags(base: readonly Tag[] | undefined, set: readonly Tag[]): Tag[] {
  const out = (base ?? []).filter((t) => !set.some((s) => s.key === t.key)).map((t) => ({ ...t }));
  for (const s of set) out.push({ ...s });
  return out;
}

/** `input` plus the sensor container and the installer tags. Does not modify `input`. */
export function withSensor(input: RegisterTaskDefinitionRequest, sensor: ContainerDefinition,
  installerTags: readonly Tag[]): RegisterTaskDefinitionRequest {
  const out = structuredClone(input);
  out.containerDefinitions = [...(out.containerDefinitions ?? []), structuredClone(sensor)];
  out.tags = mergeTags(out.tags, installerTags);
  return out;
}

/**
 * `input` without sensor containers, without tags whose key starts with `installerTagPrefix`, and without
 * references to the removed containers (dependsOn, volumesFrom, links). Does not modify `input`.
 */
export function withoutSensor(input: RegisterTaskDefinitionRequest, installerTagPrefix: string): RegisterTaskDefinitionRequest {
  const out = structuredClone(input);
  const all = out.containerDefinitions ?? [];
  const removed = new Set(all.filter(isSensorContainer).map((c) => c.name ?? SENSOR_CONTAINER_NAME));
  out.containerDefinitions = all.filter((c) => !isSensorContainer(c));
  for (const c of out.containerDefinitions) {
    if (c.dependsOn) c.dependsOn = c.dependsOn.filter((d) => !removed.has(d.containerName ?? ''));
    if (c.volumesFrom) c.volumesFrom = c.volumesFrom.filter((v) => !removed.has(v.sourceContainer ?? ''));
    if (c.links) c.links = c.links.filter((l) => !removed.has(l.split(':')[0] ?? ''));
  }
  const tags = (out.tags ?? []).filter((t) => !(t.key ?? '').startsWith(installerTagPrefix));
  if (tags.length > 0) out.tags = tags; else delete out.tags;
  return out;
}
