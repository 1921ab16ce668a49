// `pcap-sensor ecs add` as a process (no terminal) against the fake ECS endpoint: deploys with --yes, changes
// nothing with --dry-run, and the flags that pick the account, region, service and rollout take effect.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliEnv, mutatingCalls, runCli, startProcessHarness } from '../ecs/process-harness.js';
import { INIT_BIN, STACK_LINE } from '../util/sensor-run.js';

const SENSOR = ['--satellite-url', 'http://satellite.internal:9999', '--levoai-org-id', 'org-42'];
const WEB = ['--cluster', 'prod', '--service', 'web'];

t.test('--yes registers a revision with the sidecar, updates and tags the service, follows the rollout', async (t) => {
  const h = await startProcessHarness(t);
  h.fake.rollout = { polls: 3, outcome: 'COMPLETED' };
  const r = await h.run('add', ...WEB, '--task-definition', 'web', ...SENSOR, '--levo-env', 'production', '--filter', 'tcp port 8080',
    '--rate-limit', '600', '--trace-export-interval', '5s', '--host-allow', '^api\\.', '--host-allow', 'x{1,2},y',
    '--path-allow', '^/v1/', '--host-exclusions', '^internal\\.', '--path-exclusions', '^/health$',
    '--image', 'levoai/pcap-sensor:7.7.7', '--cpu', '384', '--memory', '640', '--log-group', '/ecs/web-sensor', '--yes');
  t.equal(r.code, 0, r.stderr);
  const revs = h.fake.families.get('web')!;
  t.equal(revs.length, 2, 'one new revision');
  const td = revs[1]!.td;
  const sensor = td['containerDefinitions'].find((c: { name: string }) => c.name === 'levo-pcap-sensor');
  t.same([sensor.image, sensor.cpu, sensor.memory, sensor.essential], ['levoai/pcap-sensor:7.7.7', 384, 640, false]);
  t.same(sensor.entryPoint, ['./bin/init', 'apidump', '--satellite-url', 'http://satellite.internal:9999', '--levo-env', 'production',
    '--levoai-org-id', 'org-42', '--filter', 'tcp port 8080', '--rate-limit', '600', '--trace-export-interval', '5s',
    '--host-allow', '^api\\.', '--host-allow', 'x{1,2},y', '--path-allow', '^/v1/', '--host-exclusions', '^internal\\.',
    '--path-exclusions', '^/health$']);
  t.same(sensor.environment, [{ name: 'LEVO_AWS_REGION', value: 'us-west-2' }], 'region of the default profile (~/.aws/config)');
  t.equal(sensor.logConfiguration.options['awslogs-group'], '/ecs/web-sensor');
  t.same(td['containerDefinitions'][0], revs[0]!.td['containerDefinitions'][0], 'the app container is unchanged');
  const svc = h.fake.services.get('prod/web')!;
  t.equal(svc.json['taskDefinition'], td['taskDefinitionArn'], 'service runs the new revision');
  t.ok(svc.tags.some((x) => x.key === 'levoai:pcap-sensor:installed-by'), 'service tagged');
  t.match(r.stdout, /Registered web:2 /);
  t.match(r.stdout, /Updated service "web" to web:2/);
  t.match(r.stdout, /Deployment completed: web now runs .*web:2 with the sensor/);
  t.match(r.stderr, /\+ container "levo-pcap-sensor": image levoai\/pcap-sensor:7\.7\.7, cpu 384, memory 640 MiB/);
  t.equal(r.stderr.match(/IN_PROGRESS\s+running 0\/2/g)?.length, 2, 'a progress line per poll while in progress');
  t.match(r.stderr, /COMPLETED\s+running 2\/2/);
  t.notMatch(r.stderr, /Warning/, 'no runtime warnings (the SDK\'s Node.js version notice is off)');
});

t.test('--dry-run prints the new task definition and calls no mutating API (family from the service)', async (t) => {
  const h = await startProcessHarness(t);
  const r = await h.run('add', ...WEB, ...SENSOR, '--dry-run');
  t.equal(r.code, 0, r.stderr);
  const td = JSON.parse(r.stdout);
  t.equal(td.family, 'web', 'the family the service runs, without --task-definition');
  t.same(td.containerDefinitions.map((c: { name: string }) => c.name), ['app', 'levo-pcap-sensor']);
  t.match(r.stderr, /Changes to web:1 \(service "web", cluster "prod", us-west-2\)/);
  t.match(r.stderr, /Dry run: nothing was registered or updated\./);
  t.same(mutatingCalls(h), [], 'no RegisterTaskDefinition, UpdateService or TagResource');
  t.equal(h.fake.families.get('web')!.length, 1);
  t.equal(h.fake.services.get('prod/web')!.json['taskDefinition'], h.webArn);
});

t.test('--dry-run --yes through bin/init, credentials from AWS_SHARED_CREDENTIALS_FILE', async (t) => {
  const h = await startProcessHarness(t);
  const env = cliEnv(join(h.home, 'nowhere'), { AWS_SHARED_CREDENTIALS_FILE: h.files.credentialsFile, AWS_CONFIG_FILE: h.files.configFile });
  const r = await runCli(h.ecsArgs('add', ...WEB, ...SENSOR, '--dry-run', '--yes'), env, INIT_BIN);
  t.equal(r.code, 0, r.stderr);
  t.equal(JSON.parse(r.stdout).family, 'web');
  t.same(mutatingCalls(h), []);
});

t.test('--profile picks the credentials and the region; --region overrides the region', async (t) => {
  const h = await startProcessHarness(t);
  writeFileSync(join(h.home, '.aws', 'config'), '[default]\nregion = us-west-2\n\n[profile no-regions]\nregion = eu-west-1\n');
  const r = await h.run('add', ...WEB, ...SENSOR, '--profile', 'no-regions', '--dry-run');
  t.equal(r.code, 0, r.stderr);
  t.same(JSON.parse(r.stdout).containerDefinitions[1].environment, [{ name: 'LEVO_AWS_REGION', value: 'eu-west-1' }]);
  const r2 = await h.run('add', ...WEB, ...SENSOR, '--profile', 'no-regions', '--region', 'ap-northeast-1', '--dry-run');
  t.equal(r2.code, 0, r2.stderr);
  t.same(JSON.parse(r2.stdout).containerDefinitions[1].environment, [{ name: 'LEVO_AWS_REGION', value: 'ap-northeast-1' }]);
  t.match(r2.stderr, /cluster "prod", ap-northeast-1\)/);
  const r3 = await h.run('add', ...WEB, ...SENSOR, '--profile', 'nope', '--dry-run');
  t.equal(r3.code, 2);
  t.match(r3.stderr, /^Error: no usable credentials for AWS profile "nope" in .*\.aws\/credentials/);
  t.match(r3.stderr, /Profiles found: default, no-regions, no-update/);
  t.equal(r3.stdout, '');
});

t.test('--task-definition must be the family the service runs', async (t) => {
  const h = await startProcessHarness(t);
  const r = await h.run('add', ...WEB, '--task-definition', 'inst', ...SENSOR, '--yes');
  t.equal(r.code, 2);
  t.match(r.stderr, /^Error: service "web" runs task definition family "web", not "inst"/);
  t.same(mutatingCalls(h), []);
  const byArn = await h.run('add', ...WEB, '--task-definition', h.webArn, ...SENSOR, '--dry-run');
  t.equal(byArn.code, 0, byArn.stderr);
  t.equal(JSON.parse(byArn.stdout).family, 'web', 'an ARN names its family');
});

t.test('--timeout: a rollout still running exits 3 and says ECS goes on; a failed rollout exits 1', async (t) => {
  const h = await startProcessHarness(t);
  h.fake.rollout = { polls: 1_000_000, outcome: 'COMPLETED' };
  const r = await runCli(['ecs', 'add', ...WEB, ...SENSOR, '--yes', '--endpoint-url', h.endpoint, '--timeout', '0.5', '--poll-interval', '0.2'], h.env());
  t.equal(r.code, 3, r.stderr);
  t.match(r.stderr, /Stopped watching: still IN_PROGRESS after \d+ s\. ECS keeps deploying; nothing was rolled back\./);
  t.match(r.stderr, /aws ecs describe-services --region us-west-2 --cluster prod --services web/);
  t.equal(h.fake.services.get('prod/web')!.json['taskDefinition'], h.fake.families.get('web')![1]!.td['taskDefinitionArn'], 'deployed');

  const h2 = await startProcessHarness(t);
  h2.fake.rollout = { polls: 2, outcome: 'FAILED' };
  const f = await h2.run('add', ...WEB, ...SENSOR, '--yes');
  t.equal(f.code, 1, f.stderr);
  t.match(f.stderr, /Deployment FAILED: ECS deployment circuit breaker/);
  t.match(f.stderr, /pcap-sensor ecs remove/);
  t.notMatch(f.stderr, STACK_LINE);
});

t.test('without a terminal: no --yes, or a missing choice, exits 2 naming the flag, before any change', async (t) => {
  const h = await startProcessHarness(t);
  const noYes = await h.run('add', ...WEB, ...SENSOR);
  t.equal(noYes.code, 2);
  t.equal(noYes.stderr.split('\n').at(-2), 'Error: --yes: required to change AWS resources without a terminal to confirm on');
  for (const [args, line] of [
    [['--service', 'web'], 'Error: --cluster: required without a terminal to ask on: the ECS cluster'],
    [['--cluster', 'prod'], 'Error: --task-definition: required without a terminal to ask on: the task definition family'],
  ] as const) {
    const r = await h.run('add', ...args, ...SENSOR, '--yes');
    t.equal(r.code, 2, r.stderr);
    t.equal(r.stderr, `${line}\n`);
  }
  const noUrl = await h.run('add', ...WEB, '--levoai-org-id', 'o', '--yes');
  t.equal(noUrl.code, 2);
  t.equal(noUrl.stderr, 'Error: --satellite-url: required without a terminal to ask on: the satellite URL\n');
  const callsBefore = h.fake.calls.length;
  const badRegex = await h.run('add', ...WEB, ...SENSOR, '--host-exclusions', '[a-', '--yes');
  t.equal(badRegex.code, 2);
  t.match(badRegex.stderr, /--host-exclusions: invalid regular expression "\[a-"/);
  t.equal(h.fake.calls.length, callsBefore, 'flag errors are found before any AWS call');
  t.same(mutatingCalls(h), []);
  t.equal(h.fake.families.get('web')!.length, 1);
});

t.test('--no-dry-run and --no-yes turn the switches off; either given twice is refused', async (t) => {
  const h = await startProcessHarness(t);
  const dry = await h.run('add', ...WEB, ...SENSOR, '--dry-run', '--no-yes');
  t.equal(dry.code, 0, dry.stderr);
  t.equal(JSON.parse(dry.stdout).family, 'web', 'a dry run');
  const noYes = await h.run('add', ...WEB, ...SENSOR, '--no-dry-run');
  t.equal(noYes.code, 2, noYes.stderr);
  t.equal(noYes.stderr.split('\n').at(-2), 'Error: --yes: required to change AWS resources without a terminal to confirm on',
    'not a dry run: it asks for confirmation, and there is no terminal');
  t.same(mutatingCalls(h), [], 'nothing changed so far');
  const twice = await h.run('add', ...WEB, ...SENSOR, '--dry-run', '--no-dry-run');
  t.equal(twice.code, 2);
  t.equal(twice.stderr, 'Error: --dry-run: given 2 times on the command line; it takes one value (only list flags may be repeated)\n');
  const real = await h.run('add', ...WEB, ...SENSOR, '--no-dry-run', '--yes');
  t.equal(real.code, 0, real.stderr);
  t.equal(h.fake.families.get('web')!.length, 2, 'registered');
  t.equal(h.fake.services.get('prod/web')!.json['taskDefinition'], h.fake.families.get('web')![1]!.td['taskDefinitionArn'], 'deployed');
});

t.test('-y is --yes: given with --yes or --no-yes, in any spelling, it is the flag given twice', async (t) => {
  const h = await startProcessHarness(t);
  const refused: [string, string[], string][] = [
    ['add', ['-y', '--no-yes'], '-y, --no-yes'],
    ['add', ['--yes', '-y'], '--yes, -y'],
    ['add', ['--no-y', '--yes'], '--no-y, --yes'],
    ['remove', ['-y', '-y'], '-y, -y'],
  ];
  for (const [command, flags, as] of refused) {
    const r = await h.run(command, ...WEB, ...(command === 'add' ? SENSOR : []), ...flags);
    t.equal(r.code, 2, `${command} ${flags.join(' ')}: exit 2`);
    t.equal(r.stderr, `Error: --yes: given 2 times on the command line (as ${as}); it takes one value (only list flags may be repeated)\n`);
    t.equal(r.stdout, '');
  }
  t.same(h.fake.calls, [], 'refused before any AWS call');
  const short = await h.run('add', ...WEB, ...SENSOR, '-y');
  t.equal(short.code, 0, short.stderr);
  t.equal(h.fake.families.get('web')!.length, 2, '-y alone confirms: registered');
});

t.test('a region name from the environment is checked as --region is, before any AWS call', async (t) => {
  const h = await startProcessHarness(t);
  const r = await runCli(h.ecsArgs('add', ...WEB, ...SENSOR, '--profile', 'no-update', '--dry-run'), h.env({ LEVO_AWS_REGION: 'bogus' }));
  t.equal(r.code, 2);
  t.equal(r.stderr, "Error: --region: expected an AWS region name such as us-west-2, got 'bogus' (set by LEVO_AWS_REGION)\n");
  t.equal(r.stdout, '');
  t.same(h.fake.calls, [], 'no AWS call');
});

t.test('a --service the cluster lacks exits 1; a misspelt flag exits 2 naming it', async (t) => {
  const h = await startProcessHarness(t);
  const missing = await h.run('add', '--cluster', 'prod', '--service', 'nosuch', ...SENSOR, '--yes');
  t.equal(missing.code, 1);
  t.match(missing.stderr, /^Error: cluster "prod" has no active service "nosuch"\./);
  const unknown = await h.run('add', ...WEB, ...SENSOR, '--dryrun');
  t.equal(unknown.code, 2);
  t.equal(unknown.stderr, 'Error: --dryrun: unknown flag (command line)\n');
  t.same(mutatingCalls(h), []);
});
