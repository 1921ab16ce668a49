// A dry run's ECS client refuses every command that is not a read, before anything is sent.
import t from 'tap';
import { DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { AwsSession } from '../../src/ecs/aws-session.js';
import { InstallerError } from '../../src/ecs/aws-errors.js';
import { fullTaskDefinition, startHarness } from './harness.js';

t.test('a read-only session sends reads and refuses writes without sending them', async (t) => {
  const h = await startHarness(t);
  const session = await AwsSession.open({ profile: 'default', endpoint: h.endpoint, readOnly: true }, h.files);
  const ecs = session.ecs('us-west-2');
  const read = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }));
  t.equal(read.taskDefinition?.family, 'web', 'a read goes through');
  const register = await ecs.send(new RegisterTaskDefinitionCommand(fullTaskDefinition('web') as never)).catch((e) => e);
  t.type(register, InstallerError);
  t.match(register.message, /dry run: refusing to send RegisterTaskDefinition/);
  const update = await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', taskDefinition: 'web:1' })).catch((e) => e);
  t.match(update.message, /refusing to send UpdateService/);
  t.same(h.fake.calls.map((c) => c.action), ['ecs:DescribeTaskDefinition'], 'only the read reached the endpoint');
  t.equal(h.fake.families.get('web')!.length, 1);
});

t.test('a normal session sends writes', async (t) => {
  const h = await startHarness(t);
  const session = await AwsSession.open({ profile: 'default', endpoint: h.endpoint }, h.files);
  await session.ecs('us-west-2').send(new RegisterTaskDefinitionCommand(fullTaskDefinition('web') as never));
  t.equal(h.fake.families.get('web')!.length, 2);
});
