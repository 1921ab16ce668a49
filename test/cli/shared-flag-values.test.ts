// The sensor's flags taken by two commands: `pcap-sensor apidump` (the sensor) and `pcap-sensor ecs container-definition`
// (which writes them into the sidecar's entry point). As processes: a value one refuses, the other refuses with the
// same one line and exit 2, so the installer never writes a sidecar that fails at start-up.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../ecs/process-harness.js';

const SATELLITE = ['--satellite-url', 'http://satellite.internal:9999'];
const ORG = ['--levoai-org-id', 'org-42'];

/** A flag and its refused value(s) as typed; `--flag=value` forms keep a leading '-' a value. */
const REFUSED: [name: string, args: string[]][] = [
  ['satellite URL without a port', ['--satellite-url', 'http://satellite.internal']],
  ['empty satellite URL', ['--satellite-url', '']],
  ['interval without a known unit', ['--trace-export-interval', 'soon']],
  ['interval over 24 h', ['--trace-export-interval', '25h']],
  ['rate limit not a number', ['--rate-limit', 'abc']],
  ['negative rate limit', ['--rate-limit=-5']],
  ['filter libpcap refuses', ['--filter', 'port 99999']],
  ['empty environment', ['--levo-env', '']],
  ['empty organization ID', ['--levoai-org-id', '']],
  ['invalid regex', ['--path-allow', '(unclosed']],
  ['empty regex', ['--host-exclusions', '']],
  ['single-value flag given twice', ['--filter', 'port 80', '--filter', 'port 81']],
];

/** The flags of `args`, and the required ones it does not give itself. */
function withRequired(args: string[], required: string[][]): string[] {
  const given = new Set(args.map((a) => a.split('=')[0]));
  return [...required.filter(([flag]) => !given.has(flag)).flat(), ...args];
}

for (const [name, args] of REFUSED) {
  t.test(`refused the same way by apidump and ecs: ${name}`, async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'shared-flags-'));
    t.teardown(() => rmSync(home, { recursive: true, force: true }));
    const [sensor, installer] = await Promise.all([
      runCli(['apidump', ...withRequired(args, [['--out', '-']])], cliEnv(home)),
      runCli(['ecs', 'container-definition', '--region', 'us-east-1', ...withRequired(args, [SATELLITE, ORG])], cliEnv(home)),
    ]);
    t.equal(sensor.code, 2, `apidump: exit 2 (${sensor.stderr.trim()})`);
    const flag = args[0]!.split('=')[0]!;
    t.ok(sensor.stderr.startsWith(`Error: ${flag}: `), `apidump: the line names ${flag}`);
    t.match(sensor.stderr, /^[^\n]+\n$/, 'apidump: one line');
    t.equal(installer.code, 2, 'ecs: exit 2');
    t.equal(installer.stderr, sensor.stderr, 'ecs: the same line');
    t.equal(installer.stdout, '', 'ecs: no definition printed');
  });
}
