// `ecs remove` against the fake endpoint.
import t from 'tap';
import { runEcsAdd } from '../../src/ecs/add-sensor.js';
import { InstallerError } from '../../src/ecs/aws-errors.js';
import { runEcsRemove } from '../../src/ecs/remove-sensor.js';
import { REGISTRABLE_FIELDS } from '../../src/ecs/task-definition-copy.js';
import { nonInteractivePrompter } from '../../src/ecs/terminal.js';
import { sensorFlags, startHarness } from './harness.js';

const target = { profile: 'default', cluster: 'prod', service: 'web', taskDefinition: 'web' };

t.test('add then remove: a third revision equal to the first, service untagged', async (t) => {
  const h = await startHarness(t);
  t.equal((await runEcsAdd({ ...target, endpoint: h.endpoint, dryRun: false, yes: true, sensor: sensorFlags() }, h.ctx(nonInteractivePrompter))).exitCode, 0);
  h.fake.services.get('prod/web')!.tags.push({ key: 'owner', value: 'payments' });
  const res = await runEcsRemove({ ...target, endpoint: h.endpoint, dryRun: false, yes: true }, h.ctx(nonInteractivePrompter));
  t.equal(res.exitCode, 0, h.out.text());
  const revs = h.fake.families.get('web')!;
  t.equal(revs.length, 3);
  for (const k of REGISTRABLE_FIELDS) {
    if (k === 'tags') t.same(revs[2]!.tags, revs[0]!.tags, 'tags back to the original (installer tags gone)');
    else t.same(revs[2]!.td[k], revs[0]!.td[k], `${k} as in revision 1`);
  }
  const svc = h.fake.services.get('prod/web')!;
  t.equal(svc.json['taskDefinition'], revs[2]!.td['taskDefinitionArn']);
  t.same(svc.tags, [{ key: 'owner', value: 'payments' }], 'only installer tags removed from the service');
  t.equal(res.rollout?.state, 'COMPLETED');
});

t.test('remove refuses a service whose definition has no sensor', async (t) => {
  const h = await startHarness(t);
  const err = await runEcsRemove({ ...target, endpoint: h.endpoint, dryRun: false, yes: true }, h.ctx(nonInteractivePrompter)).catch((e) => e);
  t.type(err, InstallerError);
  t.match(err.message, /does not carry the sensor/);
  t.equal(h.fake.count('ecs:RegisterTaskDefinition'), 0);
});

t.test('remove --dry-run on an instrumented service changes nothing', async (t) => {
  const h = await startHarness(t);
  const res = await runEcsRemove({ profile: 'default', cluster: 'prod', service: 'inst-svc', taskDefinition: 'inst', endpoint: h.endpoint,
    dryRun: true, yes: false }, h.ctx(nonInteractivePrompter));
  t.equal(res.exitCode, 0);
  t.same(JSON.parse(h.out.stdout.join('\n')).containerDefinitions.map((c: { name: string }) => c.name), ['app']);
  t.equal(h.fake.families.get('inst')!.length, 1);
  t.equal(h.fake.count('ecs:UpdateService') + h.fake.count('ecs:UntagResource'), 0);
});

t.test('remove: a failed rollout is reported like add', async (t) => {
  const h = await startHarness(t);
  h.fake.rollout = { polls: 1, outcome: 'FAILED' };
  const res = await runEcsRemove({ profile: 'default', cluster: 'prod', service: 'inst-svc', taskDefinition: 'inst', endpoint: h.endpoint,
    dryRun: false, yes: true }, h.ctx(nonInteractivePrompter));
  t.equal(res.exitCode, 1);
  t.match(h.out.text(), /Deployment FAILED/);
});

t.test('a denied UntagResource is only a warning naming the permission', async (t) => {
  const h = await startHarness(t);
  h.fake.deny('AKIDFULL0000', 'ecs:UntagResource');
  const res = await runEcsRemove({ profile: 'default', cluster: 'prod', service: 'inst-svc', taskDefinition: 'inst', endpoint: h.endpoint,
    dryRun: false, yes: true }, h.ctx(nonInteractivePrompter));
  t.equal(res.exitCode, 0);
  t.match(h.out.stderr.join('\n'), /Warning: could not update the service's tags[\s\S]*ecs:UntagResource/);
});
