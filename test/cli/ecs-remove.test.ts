// `pcap-sensor ecs remove` as a process against the fake ECS endpoint: deploys a revision without the sensor,
// changes nothing with --dry-run, refuses a service without the sensor, and takes the target flags.
import t from 'tap';
import { mutatingCalls, runOnTerminal, startProcessHarness } from '../ecs/process-harness.js';
import { STACK_LINE } from '../util/sensor-run.js';

const INST = ['--cluster', 'prod', '--service', 'inst-svc'];

t.test('--yes registers inst:2 without the sensor, deploys it and untags the service', async (t) => {
  const h = await startProcessHarness(t);
  const svc = h.fake.services.get('prod/inst-svc')!;
  svc.tags.push({ key: 'levoai:pcap-sensor:installed-by', value: 'x' }, { key: 'owner', value: 'shop' });
  const r = await h.run('remove', ...INST, '--task-definition', 'inst', '--yes');
  t.equal(r.code, 0, r.stderr);
  const revs = h.fake.families.get('inst')!;
  t.equal(revs.length, 2);
  t.same(revs[1]!.td['containerDefinitions'].map((c: { name: string }) => c.name), ['app'], 'sensor container gone');
  t.equal(svc.json['taskDefinition'], revs[1]!.td['taskDefinitionArn'], 'service runs the new revision');
  t.same(svc.tags, [{ key: 'owner', value: 'shop' }], 'only the installer tags removed');
  t.match(r.stderr, /- container "levo-pcap-sensor" \(levoai\/pcap-sensor:0\.1\.1\)/);
  t.match(r.stdout, /Registered inst:2 [\s\S]*Deployment completed: inst-svc now runs .*inst:2 without the sensor\./);
  t.notMatch(r.stderr, /Error|Warning/);
});

t.test('--dry-run prints the definition without the sensor and calls no mutating API', async (t) => {
  const h = await startProcessHarness(t);
  const r = await h.run('remove', ...INST, '--dry-run');
  t.equal(r.code, 0, r.stderr);
  t.same(JSON.parse(r.stdout).containerDefinitions.map((c: { name: string }) => c.name), ['app']);
  t.match(r.stderr, /Dry run: nothing was registered or updated\./);
  t.same(mutatingCalls(h), []);
  t.equal(h.fake.families.get('inst')!.length, 1);
});

t.test('a service without the sensor: exit 2, nothing changed', async (t) => {
  const h = await startProcessHarness(t);
  const r = await h.run('remove', '--cluster', 'prod', '--service', 'web', '--yes');
  t.equal(r.code, 2);
  t.equal(r.stdout, '');
  t.match(r.stderr, /^Error: refusing: web:1 does not carry the sensor: nothing to remove\./);
  t.notMatch(r.stderr, STACK_LINE);
  t.same(mutatingCalls(h), []);
});

t.test('--task-definition must be the family the service runs', async (t) => {
  const h = await startProcessHarness(t);
  const r = await h.run('remove', ...INST, '--task-definition', 'web', '--yes');
  t.equal(r.code, 2);
  t.match(r.stderr, /^Error: service "inst-svc" runs task definition family "inst", not "web"/);
  t.same(mutatingCalls(h), []);
});

t.test('add then remove through the executable (-y for --yes): a third revision with the app container of the first', async (t) => {
  const h = await startProcessHarness(t);
  const add = await h.run('add', '--cluster', 'prod', '--service', 'web', '--satellite-url', 'http://s:9999', '--levoai-org-id', 'o', '--yes');
  t.equal(add.code, 0, add.stderr);
  const r = await h.run('remove', '--cluster', 'prod', '--service', 'web', '-y');
  t.equal(r.code, 0, r.stderr);
  const revs = h.fake.families.get('web')!;
  t.equal(revs.length, 3);
  t.same(revs[2]!.td['containerDefinitions'], revs[0]!.td['containerDefinitions']);
  t.same(revs[2]!.tags, revs[0]!.tags, 'installer tags gone from the revision');
  t.same(h.fake.services.get('prod/web')!.tags, [], 'and from the service');
});

t.test('--profile and --region: a profile without UpdateService fails naming it; without a region, exit 2', async (t) => {
  const h = await startProcessHarness(t);
  const noRegion = await h.run('remove', '--profile', 'no-update', ...INST, '--yes');
  t.equal(noRegion.code, 2);
  t.equal(noRegion.stderr, 'Error: --region: required without a terminal to ask on: the AWS region; profile "no-update" has none, ' +
    'and neither LEVO_AWS_REGION nor AWS_REGION is set\n');
  t.equal(h.fake.calls.length, 0);
  const denied = await h.run('remove', '--profile', 'no-update', '--region', 'eu-west-1', ...INST, '--yes');
  t.equal(denied.code, 1);
  t.match(denied.stderr, /Error: AWS refused ecs:UpdateService[\s\S]*aws ecs update-service --region eu-west-1 --cluster prod --service inst-svc/);
  t.equal(h.fake.services.get('prod/inst-svc')!.json['taskDefinition'], h.fake.families.get('inst')![0]!.td['taskDefinitionArn']);
});

t.test('--timeout: a rollout still running exits 3; a sensor flag is not a remove flag', async (t) => {
  const h = await startProcessHarness(t);
  h.fake.rollout = { polls: 1_000_000, outcome: 'COMPLETED' };
  const r = await h.run('remove', ...INST, '--yes', '--timeout', '0.3');
  t.equal(r.code, 3, r.stderr);
  t.match(r.stderr, /ECS keeps deploying; nothing was rolled back\./);
  const wrong = await h.run('remove', ...INST, '--satellite-url', 'http://s:9999', '--yes');
  t.equal(wrong.code, 2);
  t.equal(wrong.stderr, 'Error: --satellite-url: unknown flag (command line)\n');
});

t.test('without --yes: no terminal exits 2; on a terminal, answering "n" exits 1; nothing changed either way', async (t) => {
  const h = await startProcessHarness(t);
  const noTty = await h.run('remove', ...INST);
  t.equal(noTty.code, 2);
  t.equal(noTty.stderr.split('\n').at(-2), 'Error: --yes: required to change AWS resources without a terminal to confirm on');
  const r = await runOnTerminal(h.ecsArgs('remove', ...INST), h.env(), [{ when: /\[y\/N\]: /, send: 'n\r' }]);
  t.equal(r.code, 1, r.output);
  t.match(r.output, /Cancelled: nothing was changed\./);
  t.same(mutatingCalls(h), []);
});
