// `pcap-sensor ecs container-definition` as a process: every flag shows in the printed sidecar JSON, and every
// bad or missing value is one `Error:` line naming the flag, exit 2, nothing on stdout.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../ecs/process-harness.js';
import { INIT_BIN, STACK_LINE } from '../util/sensor-run.js';

const REQUIRED = ['--satellite-url', 'http://satellite.internal:9999', '--levoai-org-id', 'org-42'];

/** A HOME without ~/.aws unless `config` is given (written as ~/.aws/config). */
function tempHome(t: { teardown(fn: () => unknown): void }, config?: string): string {
  const home = mkdtempSync(join(tmpdir(), 'ecs-cd-home-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  if (config !== undefined) {
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'config'), config);
  }
  return home;
}

t.test('every flag is reflected in the printed definition', async (t) => {
  const home = tempHome(t);
  const r = await runCli(['ecs', 'container-definition', ...REQUIRED, '--region', 'eu-central-1', '--levo-env', 'production',
    '--filter', 'port 8080 and (not port 8081)', '--rate-limit', '250', '--trace-export-interval', '2.5',
    '--host-allow', '^api\\.', '--host-allow', 'a{1,3},b', '--path-allow', '^/v[0-9]+/', '--host-exclusions', 'internal\\.example',
    '--path-exclusions', '^/health$', '--path-exclusions', '^/metrics,x$', '--image', 'registry.example/levoai/pcap-sensor:9.9.9',
    '--cpu', '256', '--memory', '300', '--log-group', '/ecs/shop-pcap'], cliEnv(home));
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stderr, '', 'nothing on stderr');
  const c = JSON.parse(r.stdout);
  t.equal(c.name, 'levo-pcap-sensor');
  t.equal(c.image, 'registry.example/levoai/pcap-sensor:9.9.9');
  t.equal(c.cpu, 256);
  t.equal(c.memory, 300);
  t.equal(c.essential, false);
  t.same(c.entryPoint, ['./bin/init', 'apidump', '--satellite-url', 'http://satellite.internal:9999', '--levo-env', 'production',
    '--levoai-org-id', 'org-42', '--filter', 'port 8080 and (not port 8081)', '--rate-limit', '250',
    '--trace-export-interval', '2.5', '--host-allow', '^api\\.', '--host-allow', 'a{1,3},b', '--path-allow', '^/v[0-9]+/',
    '--host-exclusions', 'internal\\.example', '--path-exclusions', '^/health$', '--path-exclusions', '^/metrics,x$'],
  'each regex is one argument; the ones with commas are kept whole');
  t.same(c.environment, [{ name: 'LEVO_AWS_REGION', value: 'eu-central-1' }]);
  t.same(c.logConfiguration, { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/shop-pcap', 'awslogs-create-group': 'true',
    'awslogs-region': 'eu-central-1', 'awslogs-stream-prefix': 'ecs-pcap' } });
});

t.test('defaults, and the region of the --profile named (through bin/init, the container entrypoint)', async (t) => {
  const home = tempHome(t, '[default]\nregion = us-west-2\n\n[profile shop]\nregion = ap-south-1\n');
  const r = await runCli(['ecs', 'container-definition', ...REQUIRED, '--profile', 'shop'], cliEnv(home), INIT_BIN);
  t.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout);
  t.same(c.environment, [{ name: 'LEVO_AWS_REGION', value: 'ap-south-1' }], 'region of profile "shop", not of "default"');
  t.equal(c.logConfiguration.options['awslogs-region'], 'ap-south-1');
  t.equal(c.logConfiguration.options['awslogs-group'], '/ecs/levo-pcap-sensor', 'default log group');
  t.equal(c.cpu, 512);
  t.equal(c.memory, 512);
  t.match(c.image, /^levoai\/pcap-sensor:\d+\.\d+\.\d+/);
  t.same(c.entryPoint.slice(2), ['--satellite-url', 'http://satellite.internal:9999', '--levo-env', 'staging', '--levoai-org-id', 'org-42'],
    'default environment "staging"; no optional flag added');
  const byDefault = await runCli(['ecs', 'container-definition', ...REQUIRED], cliEnv(home));
  t.equal(JSON.parse(byDefault.stdout).environment[0].value, 'us-west-2', 'without --profile: the default profile\'s region');
});

t.test('LEVO_AWS_REGION gives the region when no flag or profile does', async (t) => {
  const r = await runCli(['ecs', 'container-definition', ...REQUIRED], cliEnv(tempHome(t), { LEVO_AWS_REGION: 'sa-east-1' }));
  t.equal(r.code, 0, r.stderr);
  t.equal(JSON.parse(r.stdout).environment[0].value, 'sa-east-1');
});

/** Cases that must exit 2 with one `Error:` line matching `message`. */
const FAILURES: { name: string; args: string[]; message: RegExp }[] = [
  { name: 'missing satellite URL', args: ['--levoai-org-id', 'o', '--region', 'us-east-1'], message: /^Error: --satellite-url: required: where the sensor sends traces, http\(s\):\/\/host:port$/ },
  { name: 'missing org id', args: ['--satellite-url', 'http://s:9999', '--region', 'us-east-1'], message: /^Error: --levoai-org-id: required: the Levo organization ID the traces belong to$/ },
  { name: 'missing region', args: REQUIRED, message: /^Error: --region: required: the sidecar's LEVO_AWS_REGION and awslogs-region; profile "default" has none, and neither LEVO_AWS_REGION nor AWS_REGION is set$/ },
  { name: 'satellite URL not http', args: [...REQUIRED.slice(2), '--satellite-url', 'ftp://s', '--region', 'us-east-1'], message: /--satellite-url: 'ftp:\/\/s' has scheme 'ftp'; use http:\/\/ or https:\/\// },
  { name: 'satellite URL without a port (the sensor would refuse it)', args: [...REQUIRED.slice(2), '--satellite-url', 'http://s', '--region', 'us-east-1'], message: /--satellite-url: 'http:\/\/s' has no port/ },
  { name: 'satellite URL port out of range', args: [...REQUIRED.slice(2), '--satellite-url', 'http://s:99999', '--region', 'us-east-1'], message: /has port 99999, out of range 1-65535/ },
  { name: 'filter the sensor would refuse', args: [...REQUIRED, '--region', 'us-east-1', '--filter', 'port 99999'], message: /^Error: --filter: invalid filter 'port 99999': .*99999.* \(command line\)$/ },
  { name: 'bad regex', args: [...REQUIRED, '--region', 'us-east-1', '--path-allow', '(unclosed'], message: /--path-allow: invalid regular expression "\(unclosed"/ },
  { name: 'cpu not a number', args: [...REQUIRED, '--region', 'us-east-1', '--cpu', 'abc'], message: /--cpu: expected a whole number >= 1, got 'abc'/ },
  { name: 'memory zero', args: [...REQUIRED, '--region', 'us-east-1', '--memory', '0'], message: /--memory: expected a whole number >= 1, got '0'/ },
  { name: 'negative rate limit', args: [...REQUIRED, '--region', 'us-east-1', '--rate-limit=-5'], message: /--rate-limit: expected a whole number >= 0, got '-5'/ },
  { name: 'bad interval', args: [...REQUIRED, '--region', 'us-east-1', '--trace-export-interval', 'soon'], message: /--trace-export-interval: expected seconds .* got 'soon'/ },
  { name: 'interval over 24 h', args: [...REQUIRED, '--region', 'us-east-1', '--trace-export-interval', '25h'], message: /--trace-export-interval: '25h' is out of range: from 10 ms to 24 h/ },
  { name: 'bad region name', args: [...REQUIRED, '--region', 'R'], message: /^Error: --region: expected an AWS region name such as us-west-2, got 'R' \(command line\)$/ },
  { name: 'flag given twice', args: [...REQUIRED, '--region', 'us-east-1', '--region', 'eu-west-1'], message: /^Error: --region: given 2 times on the command line; it takes one value \(only list flags may be repeated\)$/ },
  { name: 'flag without value', args: [...REQUIRED, '--region', 'us-east-1', '--cpu'], message: /^Error: --cpu: expected a value \(command line\)$/ },
  { name: 'unknown flag', args: [...REQUIRED, '--region', 'us-east-1', '--cluster', 'prod'], message: /^Error: --cluster: unknown flag \(command line\)$/ },
];

for (const f of FAILURES) {
  t.test(`fails with exit 2: ${f.name}`, async (t) => {
    const r = await runCli(['ecs', 'container-definition', ...f.args], cliEnv(tempHome(t)));
    t.equal(r.code, 2, r.stderr);
    t.equal(r.stdout, '', 'nothing on stdout');
    t.match(r.stderr, /^Error: /);
    t.equal(r.stderr.trimEnd().split('\n').length, 1, 'one line');
    t.match(r.stderr.trimEnd(), f.message);
    t.notMatch(r.stderr, STACK_LINE, 'no stack trace');
  });
}

/**
 * A region name from the environment or the profile is checked as --region is, naming where it came from (the flag,
 * when given, wins over a bad one there).
 */
t.test('a region that is not a region name is refused whatever gave it, naming the source', async (t) => {
  const cases: [what: string, home: string, env: Record<string, string>, stderr: string][] = [
    ['LEVO_AWS_REGION', tempHome(t), { LEVO_AWS_REGION: 'bogus' }, "--region: expected an AWS region name such as us-west-2, got 'bogus' (set by LEVO_AWS_REGION)"],
    ['AWS_REGION', tempHome(t), { LEVO_AWS_REGION: ' ', AWS_REGION: 'us_west_2' }, "--region: expected an AWS region name such as us-west-2, got 'us_west_2' (set by AWS_REGION)"],
  ];
  const profileHome = tempHome(t, '[default]\nregion = Frankfurt\n');
  cases.push(['the profile', profileHome, { LEVO_AWS_REGION: 'eu-west-1' },
    `--region: expected an AWS region name such as us-west-2, got 'Frankfurt' (set in ${join(profileHome, '.aws', 'config')}, profile "default")`]);
  for (const [what, home, env, stderr] of cases) {
    const r = await runCli(['ecs', 'container-definition', ...REQUIRED], cliEnv(home, env));
    t.equal(r.code, 2, `${what}: exit 2`);
    t.equal(r.stderr, `Error: ${stderr}\n`, `${what}: one line naming the source`);
    t.equal(r.stdout, '', `${what}: no definition printed`);
  }
  const flagWins = await runCli(['ecs', 'container-definition', ...REQUIRED, '--region', 'eu-west-1'], cliEnv(profileHome, { LEVO_AWS_REGION: 'bogus' }));
  t.equal(flagWins.code, 0, flagWins.stderr);
  t.equal(JSON.parse(flagWins.stdout).logConfiguration.options['awslogs-region'], 'eu-west-1', '--region is used; the others are not read');
});

/** Values the sensor accepts at start-up are accepted here too, and passed into the entry point as given. */
const SENSOR_ACCEPTS: [flag: string, value: string][] = [
  ['--trace-export-interval', '1h'], // the whole range, 10 ms to 24 h
  ['--host-allow', '(?i)^API\\.'], // a leading (?i)
];

for (const [flag, value] of SENSOR_ACCEPTS) {
  t.test(`accepted as the sensor accepts it: ${flag} ${value}`, async (t) => {
    const r = await runCli(['ecs', 'container-definition', ...REQUIRED, '--region', 'us-east-1', flag, value], cliEnv(tempHome(t)));
    t.equal(r.code, 0, r.stderr);
    const entry: string[] = JSON.parse(r.stdout).entryPoint;
    t.equal(entry[entry.indexOf(flag) + 1], value);
  });
}

t.test('--trace-export-interval is forwarded as typed, without the spaces around it', async (t) => {
  const r = await runCli(['ecs', 'container-definition', ...REQUIRED, '--region', 'us-east-1', '--trace-export-interval', ' 2m '], cliEnv(tempHome(t)));
  t.equal(r.code, 0, r.stderr);
  const entry: string[] = JSON.parse(r.stdout).entryPoint;
  t.equal(entry[entry.indexOf('--trace-export-interval') + 1], '2m');
});
