// Test harness: a fake AWS endpoint seeded with a cluster, task definitions and services; a temp shared
// credentials/config file with static fake keys; a recording Output and a scripted Prompter.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SharedFiles } from '../../src/ecs/aws-session.js';
import type { RunContext } from '../../src/ecs/target-selection.js';
import type { Choice, Output, Prompter } from '../../src/ecs/terminal.js';
import { FakeAws } from './fake-ecs-server.js';

/** Access keys -> profiles: "default" (region us-west-2), "no-regions" and "no-update" (no region). */
export const KEYS = { full: 'AKIDFULL0000', noRegions: 'AKIDNOREGIONS', noUpdate: 'AKIDNOUPDATE' };

/** A Fargate task definition that sets every registrable field. */
export function fullTaskDefinition(family: string): Record<string, unknown> {
  return {
    family,
    taskRoleArn: 'arn:aws:iam::123456789012:role/web-task',
    executionRoleArn: 'arn:aws:iam::123456789012:role/web-exec',
    networkMode: 'awsvpc',
    containerDefinitions: [{
      name: 'app', image: 'example/web:1.4', essential: true, cpu: 256, memory: 1024,
      portMappings: [{ containerPort: 8080, protocol: 'tcp' }], environment: [{ name: 'MODE', value: 'prod' }],
      mountPoints: [{ sourceVolume: 'data', containerPath: '/data', readOnly: false }],
    }],
    volumes: [{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-1234', rootDirectory: '/' } }],
    placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.os-type == linux' }],
    requiresCompatibilities: ['FARGATE'],
    cpu: '1024',
    memory: '2048',
    tags: [{ key: 'team', value: 'payments' }],
    pidMode: 'task',
    ipcMode: 'none',
    proxyConfiguration: { type: 'APPMESH', containerName: 'app', properties: [{ name: 'IgnoredUID', value: '1337' }] },
    inferenceAccelerators: [{ deviceName: 'acc1', deviceType: 'eia2.medium' }],
    ephemeralStorage: { sizeInGiB: 40 },
    runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
    enableFaultInjection: true,
  };
}

export interface RecordingOutput extends Output { stdout: string[]; stderr: string[]; progressLines: string[]; text(): string }

export function recordingOutput(): RecordingOutput {
  const o: RecordingOutput = {
    stdout: [], stderr: [], progressLines: [],
    say(t) { o.stdout.push(t); },
    warn(t) { o.stderr.push(t); },
    progress(t) { o.progressLines.push(t); },
    endProgress() {},
    text() { return [...o.stdout, ...o.stderr].join('\n'); },
  };
  return o;
}

/** Interactive prompter answering from `answers` (keyed by flag); records the choices it was offered. */
export function scriptedPrompter(answers: Record<string, string>, confirmAnswer = true) {
  const offered: Record<string, string[]> = {};
  const prompter: Prompter = {
    interactive: true,
    async choose(_q, flag, choices: readonly Choice[]) {
      offered[flag] = choices.map((c) => c.value);
      const a = answers[flag];
      if (a === undefined || !offered[flag].includes(a)) throw new Error(`scripted prompter: no valid answer for ${flag} (offered ${offered[flag].join(',')})`);
      return a;
    },
    async text(_q, flag, def) {
      const a = answers[flag] ?? def;
      if (a === undefined) throw new Error(`scripted prompter: no answer for ${flag}`);
      return a;
    },
    async confirm() { return confirmAnswer; },
  };
  return { prompter, offered };
}

export interface Harness {
  fake: FakeAws;
  endpoint: string;
  files: SharedFiles;
  out: RecordingOutput;
  /** Run context with instant polling (no real sleeps) and a fixed clock for tags. */
  ctx(prompter: Prompter, rollout?: Partial<RunContext['rollout']>): RunContext;
  webArn: string;
}

/** Seeds cluster "prod" with service "web" (family web, every field set), a bridge family and an instrumented one. */
export async function startHarness(t: { teardown(fn: () => unknown): void }): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-test-'));
  const files: SharedFiles = { credentialsFile: join(dir, 'credentials'), configFile: join(dir, 'config') };
  writeFileSync(files.credentialsFile, [
    '[default]', `aws_access_key_id = ${KEYS.full}`, 'aws_secret_access_key = secretfull', '',
    '[no-regions]', `aws_access_key_id = ${KEYS.noRegions}`, 'aws_secret_access_key = secretnr', '',
    '[no-update]', `aws_access_key_id = ${KEYS.noUpdate}`, 'aws_secret_access_key = secretnu', '',
  ].join('\n'));
  writeFileSync(files.configFile, ['[default]', 'region = us-west-2', ''].join('\n'));

  const fake = new FakeAws();
  fake.deny(KEYS.noRegions, 'ec2:DescribeRegions');
  fake.deny(KEYS.noUpdate, 'ecs:UpdateService');
  fake.addCluster('prod');
  const web = fake.register(fullTaskDefinition('web'));
  fake.addService('prod', 'web', web['taskDefinitionArn'], { desiredCount: 2 });
  const bridge = fake.register({ family: 'legacy', networkMode: 'bridge', containerDefinitions: [{ name: 'app', image: 'x/legacy:1', memory: 256 }] });
  fake.addService('prod', 'legacy-svc', bridge['taskDefinitionArn']);
  const inst = fake.register({ family: 'inst', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '1024', memory: '2048',
    containerDefinitions: [{ name: 'app', image: 'x/app:1', memory: 512 },
      { name: 'levo-pcap-sensor', image: 'levoai/pcap-sensor:0.1.1', essential: false, memory: 512 }] });
  fake.addService('prod', 'inst-svc', inst['taskDefinitionArn']);
  const endpoint = await fake.listen();
  t.teardown(async () => { await fake.close(); rmSync(dir, { recursive: true, force: true }); });

  const out = recordingOutput();
  return {
    fake, endpoint, files, out, webArn: web['taskDefinitionArn'],
    ctx(prompter, rollout = {}) {
      return { prompter, out, files, env: {}, now: () => new Date('2025-01-02T03:04:05.000Z'),
        rollout: { pollIntervalMs: 1000, timeoutMs: 60_000, sleep: async () => {}, ...rollout } };
    },
  };
}

/** Sensor flags the tests use unless they say otherwise. */
export function sensorFlags() {
  return { satelliteUrl: 'http://satellite.internal:9999', orgId: 'org-42', levoEnv: 'staging', image: 'levoai/pcap-sensor:0.1.0',
    cpu: 256, memory: 512, hostAllow: [], pathAllow: [], hostExclusions: [], pathExclusions: [] };
}
