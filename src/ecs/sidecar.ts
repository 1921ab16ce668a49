// The sensor's sidecar container definition, as documented for Fargate (seed: sensor-on-fargate.txt).
// Pure functions: no AWS calls. Used by `ecs add` (appended to a task definition) and by
// `ecs container-definition` (printed for pasting into the console).
import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';

/** Name of the sidecar container; also how an installed sensor is recognised. */
export const SENSOR_CONTAINER_NAME = 'levo-pcap-sensor';
/** Image repository of the sensor; an image of this repository (any registry, tag or digest) counts as the sensor. */
export const SENSOR_IMAGE_REPOSITORY = 'levoai/pcap-sensor';
/** CloudWatch log stream prefix of the sidecar (seed). */
export const SENSOR_LOG_STREAM_PREFIX = 'ecs-pcap';

/** Everything the sidecar definition is built from. Units: cpu in CPU units (1024 = 1 vCPU), memory in MiB. */
export interface SensorSettings {
  satelliteUrl: string;
  levoEnv: string;
  orgId: string;
  /** AWS region: LEVO_AWS_REGION in the container and awslogs-region. */
  region: string;
  image: string;
  cpu: number;
  memory: number;
  logGroup: string;
  /** pcap-filter(7) expression, forwarded verbatim as one argument. */
  filter?: string;
  /** Traces per minute. */
  rateLimit?: number;
  /** Time between trace exports as the sensor's flag takes it ("10", "2.5", "10s", "500ms"). */
  traceExportInterval?: string;
  /** Each entry is one regex and becomes its own `--host-allow <regex>` pair: never comma-split. */
  hostAllow: readonly string[];
  pathAllow: readonly string[];
  hostExclusions: readonly string[];
  pathExclusions: readonly string[];
}

/** The sensor's entrypoint: `./bin/init apidump` then every setting as its own argv element. */
export function sensorEntryPoint(s: SensorSettings): string[] {
  const argv = ['./bin/init', 'apidump',
    '--satellite-url', s.satelliteUrl,
    '--levo-env', s.levoEnv,
    '--levoai-org-id', s.orgId];
  if (s.filter !== undefined && s.filter !== '') argv.push('--filter', s.filter);
  if (s.rateLimit !== undefined) argv.push('--rate-limit', String(s.rateLimit));
  if (s.traceExportInterval !== undefined) argv.push('--trace-export-interval', s.traceExportInterval);
  for (const r of s.hostAllow) argv.push('--host-allow', r);
  for (const r of s.pathAllow) argv.push('--path-allow', r);
  for (const r of s.hostExclusions) argv.push('--host-exclusions', r);
  for (const r of s.pathExclusions) argv.push('--path-exclusions', r);
  return argv;
}

/** The sidecar container definition (a fresh object each call; the caller may keep or mutate it). */
export function buildSensorContainer(s: SensorSettings): ContainerDefinition {
  return {
    name: SENSOR_CONTAINER_NAME,
    image: s.image,
    cpu: s.cpu,
    memory: s.memory,
    portMappings: [],
    essential: false,
    entryPoint: sensorEntryPoint(s),
    environment: [{ name: 'LEVO_AWS_REGION', value: s.region }],
    mountPoints: [],
    volumesFrom: [],
    logConfiguration: {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': s.logGroup,
        'awslogs-create-group': 'true',
        'awslogs-region': s.region,
        'awslogs-stream-prefix': SENSOR_LOG_STREAM_PREFIX,
      },
    },
  };
}

/** Image reference without registry-independent suffixes: "r.io/levoai/pcap-sensor:1@sha256:.." -> "r.io/levoai/pcap-sensor". */
function imageRepository(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  return colon < 0 ? noDigest : noDigest.slice(0, colon);
}

/** True when this container is the sensor: by name, or by image repository (someone may have renamed it). */
export function isSensorContainer(c: ContainerDefinition): boolean {
  if (c.name === SENSOR_CONTAINER_NAME) return true;
  if (c.image === undefined) return false;
  const repo = imageRepository(c.image);
  return repo === SENSOR_IMAGE_REPOSITORY || repo.endsWith('/' + SENSOR_IMAGE_REPOSITORY);
}

/** The sensor containers of a task definition (normally zero or one). */
export function sensorContainersOf(td: TaskDefinition): ContainerDefinition[] {
  return (td.containerDefinitions ?? []).filter(isSensorContainer);
}
