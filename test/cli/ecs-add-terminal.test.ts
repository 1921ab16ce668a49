// `pcap-sensor ecs add` on a real pseudo-terminal (util-linux `script`): what the flags give is never asked
// again, a dry run neither confirms nor deploys, a refused confirmation changes nothing, an answer is checked as the
// flag's value would be, Ctrl-C at a question exits 130 and Ctrl-D 1.
import t from 'tap';
import { mutatingCalls, runOnTerminal, startProcessHarness } from '../ecs/process-harness.js';

const SENSOR = ['--satellite-url', 'http://satellite.internal:9999', '--levoai-org-id', 'org-42'];
/** Text of any question the installer can ask. */
const QUESTION = /Satellite URL|organization id|\[y\/N\]|Number or name|AWS region|ECS cluster|Task definition family|Service running/;

t.test('--dry-run --yes on a terminal: no question for what the flags gave, prints, deploys nothing', async (t) => {
  const h = await startProcessHarness(t);
  const r = await runOnTerminal(h.ecsArgs('add', '--cluster', 'prod', '--service', 'web', ...SENSOR, '--dry-run', '--yes'), h.env());
  t.equal(r.code, 0, r.output);
  t.notMatch(r.output, QUESTION, 'nothing asked');
  t.match(r.output, /"name": "levo-pcap-sensor"/);
  t.match(r.output, /Dry run: nothing was registered or updated\./);
  t.same(mutatingCalls(h), []);
  t.equal(h.fake.services.get('prod/web')!.json['taskDefinition'], h.webArn);
});

t.test('--dry-run without --yes on a terminal: no confirmation asked, nothing deployed', async (t) => {
  const h = await startProcessHarness(t);
  const r = await runOnTerminal(h.ecsArgs('add', '--cluster', 'prod', '--service', 'web', ...SENSOR, '--dry-run'), h.env());
  t.equal(r.code, 0, r.output);
  t.notMatch(r.output, QUESTION);
  t.same(mutatingCalls(h), []);
});

t.test('answering "n" to the confirmation: exit 1, nothing changed', async (t) => {
  const h = await startProcessHarness(t);
  const r = await runOnTerminal(h.ecsArgs('add', '--cluster', 'prod', '--service', 'web', ...SENSOR),
    h.env(), [{ when: /deploy it to service "web"\? \[y\/N\]: /, send: 'n\r' }]);
  t.equal(r.code, 1, r.output);
  t.match(r.output, /Changes to web:1/);
  t.match(r.output, /Cancelled: nothing was changed\./);
  t.same(mutatingCalls(h), []);
  t.equal(h.fake.families.get('web')!.length, 1);
});

t.test('answering "y" deploys', async (t) => {
  const h = await startProcessHarness(t);
  const r = await runOnTerminal(h.ecsArgs('add', '--cluster', 'prod', '--service', 'web', ...SENSOR),
    h.env(), [{ when: /\[y\/N\]: /, send: 'y\r' }]);
  t.equal(r.code, 0, r.output);
  t.match(r.output, /Deployment completed/);
  t.equal(h.fake.services.get('prod/web')!.json['taskDefinition'], h.fake.families.get('web')![1]!.td['taskDefinitionArn']);
});

t.test('what the flags leave open is asked: cluster from a menu, satellite URL and org id as text', async (t) => {
  const h = await startProcessHarness(t);
  h.fake.addCluster('staging');
  const r = await runOnTerminal(h.ecsArgs('add', '--service', 'web', '--dry-run'), h.env(), [
    { when: /ECS cluster in us-west-2:[\s\S]*1\) prod[\s\S]*2\) staging[\s\S]*Number or name \[1-2\]: /, send: '1\r' },
    { when: /Satellite URL \(http\(s\):\/\/host:port\): /, send: 'http://sat.example:9999\r' },
    { when: /Levo organization id: /, send: 'org-typed\r' },
  ]);
  t.equal(r.code, 0, r.output);
  t.match(r.output, /"--satellite-url",\s+"http:\/\/sat\.example:9999"/);
  t.match(r.output, /"--levoai-org-id",\s+"org-typed"/);
  t.same(mutatingCalls(h), []);
});

t.test('a satellite URL typed at the prompt is checked as the flag is: exit 2, the line says where it came from', async (t) => {
  const h = await startProcessHarness(t);
  const r = await runOnTerminal(h.ecsArgs('add', '--cluster', 'prod', '--service', 'web', '--levoai-org-id', 'o', '--dry-run'), h.env(), [
    { when: /Satellite URL \(http\(s\):\/\/host:port\): /, send: 'http://sat.example\r' },
  ]);
  t.equal(r.code, 2, r.output);
  t.match(r.output, /^Error: --satellite-url: 'http:\/\/sat\.example' has no port; expected http\(s\):\/\/host:port, e\.g\. http:\/\/satellite:9999 \(typed at the prompt\)\r?$/m);
  t.same(mutatingCalls(h), []);
});

const ENDINGS: [string, string, number, RegExp][] = [
  ['Ctrl-C', '\x03', 130, /Error: interrupted: nothing was changed\./],
  ['the end of the input (Ctrl-D)', '\x04', 1, /Error: the input ended before an answer: nothing was changed\./],
];
for (const [name, key, code, message] of ENDINGS) {
  t.test(`${name} at a question: exit ${code}, nothing changed`, async (t) => {
    const h = await startProcessHarness(t);
    const r = await runOnTerminal(h.ecsArgs('add', '--cluster', 'prod', '--service', 'web', ...SENSOR),
      h.env(), [{ when: /\[y\/N\]: /, send: key }]);
    t.equal(r.code, code, r.output);
    t.match(r.output, message);
    t.same(mutatingCalls(h), []);
  });
}
