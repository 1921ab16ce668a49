// `pcap-sensor ecs add` as a process: each documented failure prints one `Error:` message (no stack trace), exits
// with its documented code, and leaves the service as it was.
import t, { type Test } from 'tap';
import { cliEnv, mutatingCalls, runCli, startProcessHarness, type ProcessHarness } from '../ecs/process-harness.js';
import { STACK_LINE, type Run } from '../util/sensor-run.js';
import { KEYS } from '../ecs/harness.js';

const SENSOR = ['--satellite-url', 'http://satellite.internal:9999', '--levoai-org-id', 'org-42'];

/** Checks the common shape of a failure: exit code, an `Error:` line, no stack trace, stdout as expected. */
function failed(t: Test, r: Run, code: number, message: RegExp, stdout: RegExp = /^$/): void {
  t.equal(r.code, code, r.stderr);
  t.match(r.stdout, stdout, 'stdout');
  t.match(r.stderr, /^Error: /m);
  t.match(r.stderr, message);
  t.notMatch(r.stderr, STACK_LINE, 'no stack trace');
}

/** What a failure must leave as it was: the revisions of every family and the revision every service runs. */
function snapshot(h: ProcessHarness): string {
  return JSON.stringify({
    revisions: [...h.fake.families].map(([f, revs]) => [f, revs.length]),
    services: [...h.fake.services].map(([n, svc]) => [n, svc.json['taskDefinition'], svc.tags]),
  });
}

function unchanged(t: Test, h: ProcessHarness, before: string): void {
  t.same(mutatingCalls(h), [], 'no mutating call');
  t.equal(snapshot(h), before, 'no revision registered, no service changed');
}

t.test('no credentials: exit 2 naming the file, before any AWS call', async (t) => {
  const h = await startProcessHarness(t);
  const r = await runCli(h.ecsArgs('add', '--cluster', 'prod', '--service', 'web', ...SENSOR, '--yes'), cliEnv(`${h.home}/empty`));
  failed(t, r, 2, /no AWS credentials: .*\/empty\/\.aws\/credentials does not exist\. Create it with "aws configure --profile default"/);
  t.equal(h.fake.calls.length, 0, 'no AWS call');
});

t.test('a denied permission names it; UpdateService denied leaves the registered revision and the command to deploy it', async (t) => {
  const h = await startProcessHarness(t);
  const r = await h.run('add', '--profile', 'no-update', '--region', 'us-west-2', '--cluster', 'prod', '--service', 'web', ...SENSOR, '--yes');
  failed(t, r, 1, /^Error: AWS refused ecs:UpdateService \(User: .* is not authorized to perform: ecs:UpdateService/m,
    /^Registered web:2 \(arn:aws:ecs:us-west-2:123456789012:task-definition\/web:2\)\.\n$/);
  t.match(r.stderr, /Add the IAM permission "ecs:UpdateService"/);
  t.match(r.stderr, /aws ecs update-service --region us-west-2 --cluster prod --service web --task-definition arn:aws:ecs:us-west-2:123456789012:task-definition\/web:2/);
  t.equal(h.fake.families.get('web')!.length, 2, 'the revision was registered');
  t.equal(h.fake.services.get('prod/web')!.json['taskDefinition'], h.webArn, 'the service still runs web:1');

  const h2 = await startProcessHarness(t);
  h2.fake.deny(KEYS.full, 'ecs:DescribeServices');
  const before = snapshot(h2);
  const read = await h2.run('add', '--cluster', 'prod', '--service', 'web', ...SENSOR, '--yes');
  failed(t, read, 1, /AWS refused ecs:DescribeServices[\s\S]*Add the IAM permission "ecs:DescribeServices"/);
  unchanged(t, h2, before);
});

t.test('refusals exit 2 with the reason and change nothing', async (t) => {
  const h = await startProcessHarness(t);
  h.fake.addService('prod', 'blue-green', h.webArn, { controller: 'CODE_DEPLOY' });
  const before = snapshot(h);
  const cases: [string, string[], RegExp][] = [
    ['bridge network mode', ['--service', 'legacy-svc'], /refusing: legacy:1 uses the "bridge" network mode.*Switch the task definition to "awsvpc"/],
    ['already installed', ['--service', 'inst-svc'], /refusing: inst:1 already carries the sensor \(container "levo-pcap-sensor", image levoai\/pcap-sensor:0\.1\.1\)\. Run "ecs remove" first/],
    ['--memory too large', ['--service', 'web', '--memory', '1500'], /refusing: web:1 has 2048 MiB of task memory .* Pass a smaller --memory \(at most 1024\)/],
    ['--cpu too large', ['--service', 'web', '--cpu', '900'], /refusing: web:1 has 1024 CPU units .* Pass a smaller --cpu \(at most 768\)/],
    ['CodeDeploy service', ['--service', 'blue-green'], /refusing: service "blue-green" is deployed by CODE_DEPLOY/],
  ];
  for (const [name, args, message] of cases) {
    t.test(name, async (t) => {
      failed(t, await h.run('add', '--cluster', 'prod', ...args, ...SENSOR, '--yes'), 2, message);
      unchanged(t, h, before);
    });
  }
});
