// Whether `pcap-sensor ecs` can run is decided by the program, from whether Node.js finds the AWS SDK, not by
// bin/pcap-sensor from a fixed path. As processes, on copies of the built program (bin/, dist/, package.json):
// - without the SDK (the sidecar image ships none): one line saying where the installer is, exit 2;
// - with the packages installed in a parent folder (where Node.js looks too, as with hoisted workspaces): it runs;
// - without the native capture addon (build/): it runs, but `--filter`, which the addon checks, is a runtime failure
//   (exit 1, one line naming the flag and where its value came from), in `ecs` as in `apidump`, not a usage error.
import t from 'tap';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../util/sensor-run.js';
import { cliEnv, runCli } from '../ecs/process-harness.js';

const ARGS = ['ecs', 'container-definition', '--satellite-url', 'http://satellite.internal:9999', '--levoai-org-id', 'org-42',
  '--region', 'us-east-1'];
const MODULES = join(REPO_ROOT, 'node_modules');

/** bin/, dist/ and package.json of the checkout copied into `dir`; returns its bin/pcap-sensor. */
function copyProgram(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(REPO_ROOT, part), join(dir, part), { recursive: true });
  return join(dir, 'bin', 'pcap-sensor');
}

t.test('without the AWS SDK: one line naming the installer image, exit 2', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ecs-no-sdk-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const bin = copyProgram(root);
  // every installed package but the SDK
  mkdirSync(join(root, 'node_modules'));
  for (const name of readdirSync(MODULES)) if (name !== '@aws-sdk') symlinkSync(join(MODULES, name), join(root, 'node_modules', name));
  for (const args of [ARGS, ['ecs', 'remove', '--cluster', 'c', '--service', 's', '--yes']]) {
    const r = await runCli(args, cliEnv(root), bin);
    t.equal(r.code, 2, `${args[1]}: exit 2`);
    t.match(r.stderr, /^Error: ecs: the ECS installer is not in this image \(it ships without the AWS SDK\): build the installer image with 'docker build --target installer/);
    t.equal(r.stderr.trimEnd().split('\n').length, 1, 'one line');
    t.equal(r.stdout, '');
  }
  const sat = await runCli(['satellite', '--port', 'x'], cliEnv(root), bin);
  t.equal(sat.stderr, "Error: --port: expected a port number from 0 to 65535, got 'x' (command line)\n", 'the other commands run');
});

t.test('the AWS SDK installed in a parent folder: ecs runs', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ecs-hoisted-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const bin = copyProgram(join(root, 'app'));
  symlinkSync(MODULES, join(root, 'node_modules'));
  const r = await runCli(ARGS, cliEnv(root), bin);
  t.equal(r.code, 0, r.stderr);
  t.equal(JSON.parse(r.stdout).name, 'levo-pcap-sensor');
});

t.test('without the native capture addon: ecs runs; --filter, which needs it, exits 1 naming the flag and its source', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ecs-no-addon-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const bin = copyProgram(root); // no build/Release/pcap_addon.node
  symlinkSync(MODULES, join(root, 'node_modules'));
  const plain = await runCli(ARGS, cliEnv(root), bin);
  t.equal(plain.code, 0, plain.stderr);
  t.equal(JSON.parse(plain.stdout).name, 'levo-pcap-sensor', 'the installer needs no addon');
  const line = 'Error: --filter: cannot check the expression: cannot load the native capture addon ' +
    `${join(root, 'build', 'Release', 'pcap_addon.node')}: it is not built; rebuild with npm run build:native`;
  const configFile = join(root, 'sensor.yaml');
  writeFileSync(configFile, 'out: "-"\nfilter: tcp\n');
  const runs = {
    'ecs --filter': [await runCli([...ARGS, '--filter', 'tcp'], cliEnv(root), bin), ' (command line)'],
    'apidump --filter': [await runCli(['apidump', '--pcap', 'x.pcap', '--out', '-', '--filter', 'tcp'], cliEnv(root), bin), ' (command line)'],
    'apidump LEVO_FILTER': [await runCli(['apidump', '--pcap', 'x.pcap', '--out', '-'], cliEnv(root, { LEVO_FILTER: 'tcp' }), bin), ' (set by LEVO_FILTER)'],
    'apidump config file': [await runCli(['apidump', '--pcap', 'x.pcap', '--config', configFile], cliEnv(root), bin), ` (set in config file ${configFile} line 2)`],
  } as const;
  for (const [what, [r, origin]] of Object.entries(runs)) {
    t.equal(r.code, 1, `${what}: exit 1, a broken install rather than a bad value`);
    t.equal(r.stderr, `${line}${origin}\n`, `${what}: one line naming the flag, where its value came from and the addon`);
    t.equal(r.stdout, '', `${what}: nothing on stdout`);
  }
});
