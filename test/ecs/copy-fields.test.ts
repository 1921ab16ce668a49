// Every registrable field of a task definition survives `ecs add` (and `ecs remove`).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import t from 'tap';
import { runEcsAdd } from '../../src/ecs/add-sensor.js';
import { copyTaskDefinition, REGISTRABLE_FIELDS, withoutSensor, withSensor } from '../../src/ecs/task-definition-copy.js';
import { nonInteractivePrompter } from '../../src/ecs/terminal.js';
import { fullTaskDefinition, sensorFlags, startHarness } from './harness.js';

/** Member names of `export interface RegisterTaskDefinitionRequest` in the installed SDK's declaration files. */
function sdkRegisterInputKeys(): string[] {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('@aws-sdk/client-ecs/package.json'));
  const modelsDir = join(pkgDir, 'dist-types', 'models');
  for (const f of readdirSync(modelsDir)) {
    const text = readFileSync(join(modelsDir, f), 'utf8');
    const start = text.indexOf('export interface RegisterTaskDefinitionRequest {');
    if (start < 0) continue;
    const body = text.slice(start, text.indexOf('\n}', start));
    return [...body.matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1]!);
  }
  throw new Error('RegisterTaskDefinitionRequest not found in the SDK declarations');
}

t.test('REGISTRABLE_FIELDS is exactly the SDK input type\'s keys', async (t) => {
  const sdkKeys = sdkRegisterInputKeys();
  t.ok(sdkKeys.length >= 18, `parsed ${sdkKeys.length} keys`);
  t.same([...REGISTRABLE_FIELDS].sort(), [...sdkKeys].sort(), 'a new SDK field must be added to REGISTRABLE_FIELDS');
});

t.test('the fixture sets every registrable field', async (t) => {
  const fixture = fullTaskDefinition('web');
  for (const k of REGISTRABLE_FIELDS) t.not(fixture[k], undefined, `fixture sets ${k}`);
});

t.test('ecs add copies every registrable field of the old revision', async (t) => {
  const h = await startHarness(t);
  const res = await runEcsAdd({ profile: 'default', cluster: 'prod', service: 'web', taskDefinition: 'web', endpoint: h.endpoint,
    dryRun: false, yes: true, sensor: sensorFlags() }, h.ctx(nonInteractivePrompter));
  t.equal(res.exitCode, 0);
  const [oldRev, newRev] = h.fake.families.get('web')!;
  for (const k of REGISTRABLE_FIELDS) {
    if (k === 'tags') {
      for (const tag of oldRev!.tags) t.ok(newRev!.tags.some((x) => x.key === tag.key && x.value === tag.value), `tag ${tag.key} copied`);
    } else if (k === 'containerDefinitions') {
      t.same(newRev!.td[k].slice(0, -1), oldRev!.td[k], 'old containers copied unchanged');
      t.equal(newRev!.td[k].length, oldRev!.td[k].length + 1);
    } else {
      t.same(newRev!.td[k], oldRev!.td[k], `${k} copied`);
    }
  }
});

t.test('copyTaskDefinition leaves out read-only fields and AWS-reserved tags, and does not alias', async (t) => {
  const td: Record<string, unknown> = { ...fullTaskDefinition('web'), taskDefinitionArn: 'arn:x', revision: 3, status: 'ACTIVE', registeredAt: new Date(),
    compatibilities: ['FARGATE'], requiresAttributes: [] };
  delete td['tags'];
  const { input, droppedReservedTags } = copyTaskDefinition(td as never,
    [{ key: 'aws:cloudformation:stack-name', value: 's' }, { key: 'team', value: 'a' }]);
  for (const k of ['taskDefinitionArn', 'revision', 'status', 'registeredAt', 'compatibilities', 'requiresAttributes']) {
    t.notOk(k in input, `${k} not copied`);
  }
  t.same(droppedReservedTags, ['aws:cloudformation:stack-name']);
  t.same(input.tags, [{ key: 'team', value: 'a' }]);
  input.containerDefinitions![0]!.name = 'changed';
  t.equal((td['containerDefinitions'] as { name: string }[])[0]!.name, 'app', 'deep copy');
});

t.test('withoutSensor drops the sensor, references to it, and only installer tags', async (t) => {
  const base = { family: 'f', containerDefinitions: [
    { name: 'app', image: 'a', dependsOn: [{ containerName: 'levo-pcap-sensor', condition: 'START' as const }, { containerName: 'db', condition: 'START' as const }] },
    { name: 'db', image: 'd' }] };
  const withIt = withSensor(base, { name: 'levo-pcap-sensor', image: 'levoai/pcap-sensor:1' },
    [{ key: 'levoai:pcap-sensor:installed-by', value: 'x' }]);
  withIt.tags!.push({ key: 'team', value: 'a' });
  t.equal(base.containerDefinitions.length, 2, 'withSensor does not modify its input');
  const back = withoutSensor(withIt, 'levoai:pcap-sensor:');
  t.same(back.containerDefinitions!.map((c) => c.name), ['app', 'db']);
  t.same(back.containerDefinitions![0]!.dependsOn, [{ containerName: 'db', condition: 'START' }]);
  t.same(back.tags, [{ key: 'team', value: 'a' }]);
  const renamed = withoutSensor({ family: 'f', containerDefinitions: [{ name: 'app', image: 'a' },
    { name: 'sniffer', image: 'registry.example.com/levoai/pcap-sensor@sha256:abc' }] }, 'levoai:pcap-sensor:');
  t.same(renamed.containerDefinitions!.map((c) => c.name), ['app'], 'recognised by image repository');
  t.notOk('tags' in renamed);
});
