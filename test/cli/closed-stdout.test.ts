// Standard output closed by its reader before the program writes (`... | head -1` that has already ended):
// every command that prints a result ends normally, without a stack trace, with the status it would have had.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture } from './runtime-harness.js';
import { childEnv, Proc, SENSOR_BIN, STACK_LINE, type Exit } from '../util/sensor-run.js';

/** Runs bin/pcap-sensor ARGS with its standard output's read end closed at once (before node has started). */
async function runWithClosedStdout(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Proc & Exit> {
  const child = spawn(SENSOR_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(env) });
  child.stdout.destroy();
  const p = new Proc(child);
  return Object.assign(p, await p.exited);
}

const home = mkdtempSync(join(tmpdir(), 'closed-stdout-'));
t.teardown(() => rmSync(home, { recursive: true, force: true }));

const CASES: { name: string; args: string[]; env?: NodeJS.ProcessEnv }[] = [
  { name: 'apidump --print-config', args: ['apidump', '--pcap', capture('curl-variety'), '--out', '-', '--print-config'] },
  { name: 'ecs container-definition', args: ['ecs', 'container-definition', '--satellite-url', 'http://satellite:9999',
    '--levoai-org-id', 'org', '--region', 'us-east-1'], env: { HOME: home, AWS_CONFIG_FILE: join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'none') } },
  { name: '--help', args: ['--help'] },
  { name: '--version', args: ['--version'] },
];

for (const c of CASES) {
  t.test(`${c.name}: exit 0, no stack trace`, async (t) => {
    const r = await runWithClosedStdout(c.args, c.env);
    t.equal(r.code, 0, r.stderr);
    t.notMatch(r.stderr, STACK_LINE);
    t.notMatch(r.stderr, /EPIPE/);
  });
}
