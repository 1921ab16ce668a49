// `ecs add` against the fake endpoint with the real SDK clients.
import t from 'tap';
import { runEcsAdd } from '../../src/ecs/add-sensor.js';
import { InstallerError } from '../../src/ecs/aws-errors.js';
import { nonInteractivePrompter } from '../../src/ecs/terminal.js';
import { scriptedPrompter, sensorFlags, startHarness } from './harness.js';

const target = { profile: 'default', cluster: 'prod', service: 'web', taskDefinition: 'web' };

t.test('add: registers web:2 with the sidecar, updates and tags the service, follows the rollout', async (t) => {
  const h = await startHarness(t);
  h.fake.rollout = { polls: 3, outcome: 'COMPLETED' };
  const res = await runEcsAdd({ ...target, endpoint: h.endpoint, dryRun: false, yes: true,
    sensor: { ...sensorFlags(), filter: 'port 8080 and (not port 8081)', rateLimit: 500, traceExportInterval: '5',
      hostAllow: ['^api\\.', '\\d{1,3}'], pathExclusions: ['/health'] } }, h.ctx(nonInteractivePrompter));
  t.equal(res.exitCode, 0, h.out.text());
  const revs = h.fake.families.get('web')!;
  t.equal(revs.length, 2, 'one new revision');
  const td = revs[1]!.td;
  t.equal(res.registeredArn, td['taskDefinitionArn']);
  const sensor = td['containerDefinitions'].find((c: { name: string }) => c.name === 'levo-pcap-sensor');
  t.ok(sensor, 'sensor container added');
  t.equal(sensor.essential, false);
  t.equal(sensor.cpu, 256);
  t.equal(sensor.memory, 512);
  t.equal(sensor.image, 'levoai/pcap-sensor:0.1.0');
  t.same(sensor.entryPoint, ['./bin/init', 'apidump', '--satellite-url', 'http://satellite.internal:9999', '--levo-env', 'staging',
    '--levoai-org-id', 'org-42', '--filter', 'port 8080 and (not port 8081)', '--rate-limit', '500',
    '--trace-export-interval', '5', '--host-allow', '^api\\.', '--host-allow', '\\d{1,3}', '--path-exclusions', '/health']);
  t.same(sensor.environment, [{ name: 'LEVO_AWS_REGION', value: 'us-west-2' }]);
  t.same(sensor.logConfiguration, { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web-pcap', 'awslogs-create-group': 'true',
    'awslogs-region': 'us-west-2', 'awslogs-stream-prefix': 'ecs-pcap' } });
  const tagKeys = revs[1]!.tags.map((x) => x.key);
  t.ok(tagKeys.includes('team'), 'existing tag kept');
  t.ok(tagKeys.includes('levoai:pcap-sensor:installed-by'), 'revision tagged');
  const svc = h.fake.services.get('prod/web')!;
  t.equal(svc.json['taskDefinition'], td['taskDefinitionArn'], 'service updated');
  t.same(svc.tags.find((x) => x.key === 'levoai:pcap-sensor:installed-at'), { key: 'levoai:pcap-sensor:installed-at', value: '2025-01-02T03:04:05.000Z' });
  t.equal(res.rollout?.state, 'COMPLETED');
  t.equal(res.rollout?.polls, 3, 'polled until the fake completed');
  t.equal(h.out.progressLines.length, 3, 'a progress line per poll');
  t.match(h.out.progressLines[0], /IN_PROGRESS\s+running 0\/2\s+pending 2\s+failed 0/);
  t.match(h.out.text(), /Deployment completed/);
});

t.test('dry run prints the new definition and changes nothing', async (t) => {
  const h = await startHarness(t);
  const res = await runEcsAdd({ ...target, endpoint: h.endpoint, dryRun: true, yes: false, sensor: sensorFlags() }, h.ctx(nonInteractivePrompter));
  t.equal(res.exitCode, 0);
  t.equal(h.fake.families.get('web')!.length, 1, 'no revision registered');
  t.equal(h.fake.services.get('prod/web')!.json['taskDefinition'], h.webArn, 'service untouched');
  t.same(h.fake.services.get('prod/web')!.tags, []);
  for (const a of ['ecs:RegisterTaskDefinition', 'ecs:UpdateService', 'ecs:TagResource']) t.equal(h.fake.count(a), 0, `no ${a}`);
  const printed = JSON.parse(h.out.stdout.join('\n'));
  t.equal(printed.family, 'web');
  t.same(printed.containerDefinitions.map((c: { name: string }) => c.name), ['app', 'levo-pcap-sensor']);
  t.match(h.out.stderr.join('\n'), /Dry run/);
});

t.test('refuses bridge network mode, with the reason, before changing anything', async (t) => {
  const h = await startHarness(t);
  const err = await runEcsAdd({ profile: 'default', cluster: 'prod', service: 'legacy-svc', taskDefinition: 'legacy',
    endpoint: h.endpoint, dryRun: false, yes: true, sensor: sensorFlags() }, h.ctx(nonInteractivePrompter)).catch((e) => e);
  t.type(err, InstallerError);
  t.match(err.message, /bridge/);
  t.match(err.message, /awsvpc/);
  t.equal(err.exitCode, 2);
  t.equal(h.fake.count('ecs:RegisterTaskDefinition'), 0);
});

t.test('refuses a task definition that already carries the sensor', async (t) => {
  const h = await startHarness(t);
  const err = await runEcsAdd({ profile: 'default', cluster: 'prod', service: 'inst-svc', taskDefinition: 'inst',
    endpoint: h.endpoint, dryRun: false, yes: true, sensor: sensorFlags() }, h.ctx(nonInteractivePrompter)).catch((e) => e);
  t.type(err, InstallerError);
  t.match(err.message, /already carries the sensor/);
  t.equal(h.fake.families.get('inst')!.length, 1);
});

t.test('refuses when the sidecar does not fit in the task memory', async (t) => {
  const h = await startHarness(t);
  const err = await runEcsAdd({ ...target, endpoint: h.endpoint, dryRun: false, yes: true,
    sensor: { ...sensorFlags(), memory: 1500 } }, h.ctx(nonInteractivePrompter)).catch((e) => e);
  t.match(err.message, /at most 1024/);
  t.equal(h.fake.count('ecs:RegisterTaskDefinition'), 0);
});

t.test('a failed rollout says so and exits 1', async (t) => {
  const h = await startHarness(t);
  h.fake.rollout = { polls: 2, outcome: 'FAILED' };
  const res = await runEcsAdd({ ...target, endpoint: h.endpoint, dryRun: false, yes: true, sensor: sensorFlags() }, h.ctx(nonInteractivePrompter));
  t.equal(res.exitCode, 1);
  t.equal(res.rollout?.state, 'FAILED');
  t.match(h.out.text(), /circuit breaker/);
  t.match(h.out.text(), /ecs remove/);
  t.match(h.out.text(), /desired-status STOPPED/);
});

t.test('a rollout still running at the timeout exits 3 and says ECS goes on', async (t) => {
  const h = await startHarness(t);
  h.fake.rollout = { polls: 1000, outcome: 'COMPLETED' };
  let clock = 0;
  const res = await runEcsAdd({ ...target, endpoint: h.endpoint, dryRun: false, yes: true, sensor: sensorFlags() },
    h.ctx(nonInteractivePrompter, { pollIntervalMs: 15_000, timeoutMs: 60_000, now: () => clock, sleep: async (ms) => { clock += ms; } }));
  t.equal(res.exitCode, 3);
  t.equal(res.rollout?.state, 'TIMED_OUT');
  t.equal(res.rollout?.polls, 5, 'polls at 0, 15, 30, 45, 60 s; the next would be past 60 s');
  t.match(h.out.text(), /nothing was rolled back/);
});

t.test('AccessDenied on UpdateService names the permission and the registered revision', async (t) => {
  const h = await startHarness(t);
  const err = await runEcsAdd({ ...target, profile: 'no-update', region: 'us-west-2', endpoint: h.endpoint, dryRun: false, yes: true,
    sensor: sensorFlags() }, h.ctx(nonInteractivePrompter)).catch((e) => e);
  t.type(err, InstallerError);
  t.match(err.message, /ecs:UpdateService/);
  t.match(err.message, /Add the IAM permission "ecs:UpdateService"/);
  t.match(err.message, /aws ecs update-service .*--task-definition arn:aws:ecs:us-west-2:123456789012:task-definition\/web:2/);
  t.equal(h.fake.services.get('prod/web')!.json['taskDefinition'], h.webArn, 'service not changed');
});

t.test('without a terminal, a missing choice is an error naming the flag', async (t) => {
  const h = await startHarness(t);
  const err = await runEcsAdd({ profile: 'default', taskDefinition: 'web', service: 'web', endpoint: h.endpoint, dryRun: true, yes: false,
    sensor: sensorFlags() }, h.ctx(nonInteractivePrompter)).catch((e) => e);
  t.equal(err.message, '--cluster: required without a terminal to ask on: the ECS cluster');
  const err2 = await runEcsAdd({ ...target, endpoint: h.endpoint, dryRun: false, yes: false, sensor: sensorFlags() },
    h.ctx(nonInteractivePrompter)).catch((e) => e);
  t.equal(err2.message, '--yes: required to change AWS resources without a terminal to confirm on');
  t.equal(h.fake.count('ecs:RegisterTaskDefinition'), 0);
  const err3 = await runEcsAdd({ ...target, endpoint: h.endpoint, dryRun: true, yes: false,
    sensor: { ...sensorFlags(), satelliteUrl: undefined } }, h.ctx(nonInteractivePrompter)).catch((e) => e);
  t.equal(err3.message, '--satellite-url: required without a terminal to ask on: the satellite URL');
});

t.test('with a terminal, missing choices are asked, listing what exists', async (t) => {
  const h = await startHarness(t);
  const { prompter, offered } = scriptedPrompter({ '--cluster': 'prod', '--task-definition': 'web', '--service': 'web' });
  h.fake.addCluster('staging');
  const res = await runEcsAdd({ profile: 'default', endpoint: h.endpoint, dryRun: true, yes: false, sensor: sensorFlags() }, h.ctx(prompter));
  t.equal(res.exitCode, 0);
  t.same(offered['--cluster'], ['prod', 'staging']);
  t.same(offered['--task-definition'], ['inst', 'legacy', 'web']);
  t.same(offered['--service'], ['web'], 'only services running the family');
});

t.test('a profile that may not DescribeRegions gets the built-in region list', async (t) => {
  const h = await startHarness(t);
  const { prompter, offered } = scriptedPrompter({ '--region': 'us-west-2' });
  const res = await runEcsAdd({ profile: 'no-regions', cluster: 'prod', service: 'web', taskDefinition: 'web', endpoint: h.endpoint,
    dryRun: true, yes: false, sensor: sensorFlags() }, h.ctx(prompter));
  t.equal(res.exitCode, 0);
  t.equal(h.fake.calls.filter((c) => c.action === 'ec2:DescribeRegions' && c.denied).length, 1, 'DescribeRegions was tried');
  t.ok(offered['--region']!.length > 20, 'built-in list offered');
  t.ok(offered['--region']!.includes('eu-central-1'), 'a region the fake does not list');
  t.match(h.out.stderr.join('\n'), /ec2:DescribeRegions is not permitted/);
});

t.test('a permitted profile gets the regions DescribeRegions lists', async (t) => {
  const h = await startHarness(t);
  const { prompter, offered } = scriptedPrompter({ '--region': 'us-west-2' });
  h.files.configFile = h.files.configFile + '.absent';
  await runEcsAdd({ profile: 'default', cluster: 'prod', service: 'web', taskDefinition: 'web', endpoint: h.endpoint,
    dryRun: true, yes: false, sensor: sensorFlags() }, h.ctx(prompter));
  t.same(offered['--region'], ['eu-west-1', 'us-east-1', 'us-west-2']);
});

t.test('a cluster with more than 10 services: DescribeServices is called in chunks of 10', async (t) => {
  const h = await startHarness(t);
  h.fake.maxPageSize = 7;
  for (let i = 0; i < 23; i++) h.fake.addService('prod', `svc-${String(i).padStart(2, '0')}`, h.fake.families.get('legacy')![0]!.td['taskDefinitionArn']);
  h.fake.addService('prod', 'web-canary', h.webArn);
  const { prompter, offered } = scriptedPrompter({ '--service': 'web-canary' });
  const res = await runEcsAdd({ profile: 'default', cluster: 'prod', taskDefinition: 'web', endpoint: h.endpoint, dryRun: false, yes: true,
    sensor: sensorFlags() }, h.ctx(prompter));
  t.equal(res.exitCode, 0, h.out.text());
  t.same(offered['--service'], ['web', 'web-canary']);
  const describes = h.fake.calls.filter((c) => c.action === 'ecs:DescribeServices' && (c.body['services'] as string[]).length > 1);
  t.equal(describes.length, 3, '27 services -> 10 + 10 + 7');
  t.ok(describes.every((c) => (c.body['services'] as string[]).length <= 10));
  t.equal(h.fake.count('ecs:ListServices'), 4, '27 services in pages of 7');
  t.equal(h.fake.services.get('prod/web')!.json['taskDefinition'], h.webArn, 'the other service is untouched');
});

t.test('an unknown profile or missing credentials file gives a clear message', async (t) => {
  const h = await startHarness(t);
  const err = await runEcsAdd({ ...target, profile: 'nope', endpoint: h.endpoint, dryRun: true, yes: false, sensor: sensorFlags() },
    h.ctx(nonInteractivePrompter)).catch((e) => e);
  t.type(err, InstallerError);
  t.match(err.message, /profile "nope"/);
  t.match(err.message, /Profiles found: default, no-regions, no-update/);
  const ctx = h.ctx(nonInteractivePrompter);
  ctx.files = { credentialsFile: '/nonexistent/credentials', configFile: '/nonexistent/config' };
  const err2 = await runEcsAdd({ ...target, endpoint: h.endpoint, dryRun: true, yes: false, sensor: sensorFlags() }, ctx).catch((e) => e);
  t.match(err2.message, /no AWS credentials: \/nonexistent\/credentials does not exist/);
  t.equal(h.fake.calls.length, 0, 'no AWS call without credentials');
});
