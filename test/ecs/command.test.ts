// The yargs wiring in process (fast to debug); test/cli/ecs-*.test.ts check every flag through the executable.
import t from 'tap';
import yargs from 'yargs';
import { registerEcsCommand } from '../../src/ecs/command.js';
import { startHarness } from './harness.js';

/**
 * Runs the CLI with `args` (parsed like src/cli/main.ts: no camel-case aliases), capturing stdout/stderr and the exit
 * code it set; a value refused while parsing is reported as main.ts does (one `Error:` line, exit 2).
 */
async function runCli(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const origOut = process.stdout.write.bind(process.stdout);
  const origErr = process.stderr.write.bind(process.stderr);
  let exitCode = 0;
  process.stdout.write = ((c: string | Uint8Array) => { out.push(String(c)); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => { err.push(String(c)); return true; }) as typeof process.stderr.write;
  try {
    await registerEcsCommand(yargs(args), (code) => { exitCode = code; }).strict().exitProcess(false)
      .fail((msg, e) => { throw e ?? new Error(msg); })
      .parserConfiguration({ 'camel-case-expansion': false, 'dot-notation': false }).parseAsync();
  } catch (e) {
    err.push(`Error: ${(e as Error).message}\n`);
    exitCode = 2;
  } finally {
    process.stdout.write = origOut;
    process.stderr.write = origErr;
  }
  return { stdout: out.join(''), stderr: err.join(''), exitCode };
}

t.test('container-definition: defaults and flag errors', async (t) => {
  const ok = await runCli(['ecs', 'container-definition', '--region', 'us-east-1', '--satellite-url', 'http://10.0.0.5:9999',
    '--levoai-org-id', 'o']);
  const c = JSON.parse(ok.stdout);
  t.equal(c.cpu, 512);
  t.equal(c.memory, 512);
  t.match(c.image, /^levoai\/pcap-sensor:\d+\.\d+\.\d+/);
  t.same(c.entryPoint.slice(4, 6), ['--levo-env', 'staging']);
  const noUrl = await runCli(['ecs', 'container-definition', '--region', 'us-east-1', '--levoai-org-id', 'o']);
  t.equal(noUrl.exitCode, 2);
  t.equal(noUrl.stderr, 'Error: --satellite-url: required: where the sensor sends traces, http(s)://host:port\n');
  const badRegex = await runCli(['ecs', 'container-definition', '--region', 'us-east-1', '--satellite-url', 'http://s:9999',
    '--levoai-org-id', 'o', '--path-allow', '(unclosed']);
  t.match(badRegex.stderr, /--path-allow: invalid regular expression "\(unclosed"/);
  const badUrl = await runCli(['ecs', 'container-definition', '--region', 'us-east-1', '--satellite-url', 'ftp://s',
    '--levoai-org-id', 'o']);
  t.match(badUrl.stderr, /has scheme 'ftp'; use http:\/\/ or https:\/\//);
});

t.test('ecs add --dry-run through the CLI, credentials from AWS_SHARED_CREDENTIALS_FILE', async (t) => {
  const h = await startHarness(t);
  const saved = { c: process.env['AWS_SHARED_CREDENTIALS_FILE'], f: process.env['AWS_CONFIG_FILE'] };
  process.env['AWS_SHARED_CREDENTIALS_FILE'] = h.files.credentialsFile;
  process.env['AWS_CONFIG_FILE'] = h.files.configFile;
  t.teardown(() => {
    for (const [k, v] of [['AWS_SHARED_CREDENTIALS_FILE', saved.c], ['AWS_CONFIG_FILE', saved.f]] as const) {
      if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  });
  const res = await runCli(['ecs', 'add', '--endpoint-url', h.endpoint, '--cluster', 'prod', '--service', 'web',
    '--task-definition', 'web', '--satellite-url', 'http://sat:9999', '--levoai-org-id', 'org', '--path-exclusions', '^/health$',
    '--dry-run']);
  t.equal(res.exitCode, 0, res.stderr);
  const td = JSON.parse(res.stdout);
  const sensor = td.containerDefinitions[1];
  t.equal(sensor.name, 'levo-pcap-sensor');
  t.same(sensor.entryPoint.slice(-2), ['--path-exclusions', '^/health$']);
  t.same(sensor.environment, [{ name: 'LEVO_AWS_REGION', value: 'us-west-2' }], 'region from the profile\'s config');
  t.equal(h.fake.families.get('web')!.length, 1, 'dry run registered nothing');

  const denied = await runCli(['ecs', 'add', '--endpoint-url', h.endpoint, '--profile', 'no-update', '--region', 'us-west-2',
    '--cluster', 'prod', '--service', 'web', '--task-definition', 'web', '--satellite-url', 'http://sat:9999',
    '--levoai-org-id', 'org', '--yes']);
  t.equal(denied.exitCode, 1);
  t.match(denied.stderr, /Error: AWS refused ecs:UpdateService/);
});
