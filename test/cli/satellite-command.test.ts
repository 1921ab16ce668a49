// `pcap-sensor satellite` as a process: start-up failures are one `Error:` line without a stack, printed
// before anything claims to listen (bad --port: exit 2; --out that cannot be written, port in use: exit 1);
// --out - with its reader gone keeps the satellite answering.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { capture, expectedExchanges } from './runtime-harness.js';
import { childEnv, Proc, run, SENSOR_BIN, STACK_LINE, startSensor } from '../util/sensor-run.js';

const dir = mkdtempSync(join(tmpdir(), 'satellite-cmd-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** One line `Error: ...`, no stack, nothing listening. */
function refused(t: Test, r: Proc, message: RegExp): void {
  t.match(r.stderr, message);
  t.equal(r.stderr.split('\n').filter((l) => l.startsWith('Error:')).length, 1, 'one Error line');
  t.notMatch(r.stderr, STACK_LINE, 'no stack trace');
  t.notMatch(r.stderr, /listening/, 'never said it was listening');
}

t.test('a bad --port is a usage error (exit 2) naming the flag', async (t) => {
  for (const port of ['abc', '70000', '-1', '1.5']) {
    const r = await run(['satellite', '--port', port, '--out', join(dir, 'never.jsonl')]);
    t.equal(r.code, 2, `--port ${port}: exit 2`);
    refused(t, r, new RegExp(`^Error: --port: expected a port number from 0 to 65535, got '${port.replace('.', '\\.')}' \\(command line\\)\n$`));
  }
});

t.test('--out that cannot be written: exit 1 before listening', async (t) => {
  const r = await run(['satellite', '--port', '0', '--out', '/nonexistent/f']);
  t.equal(r.code, 1);
  refused(t, r, /^Error: satellite: --out: cannot write "\/nonexistent\/f": its directory does not exist$/m);
  const d = await run(['satellite', '--port', '0', '--out', dir]);
  t.equal(d.code, 1);
  refused(t, d, /--out: cannot write ".*": it is a directory/);
});

t.test('a port in use: exit 1, one line', async (t) => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => holder.close(() => resolve())));
  const port = (holder.address() as net.AddressInfo).port;
  const r = await run(['satellite', '--port', String(port), '--host', '127.0.0.1', '--out', join(dir, 'inuse.jsonl')]);
  t.equal(r.code, 1);
  refused(t, r, new RegExp(`^Error: satellite: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use$`, 'm'));
});

t.test('--out - whose reader has gone: records stop, the satellite keeps answering', async (t) => {
  // the satellite's stdout is a pipe the test closes at once
  const child = spawn(SENSOR_BIN, ['satellite', '--port', '0', '--out', '-'], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  child.stdout!.destroy();
  const sat = new Proc(child);
  t.teardown(() => sat.kill('SIGKILL'));
  await sat.until((p) => /listening on (http:\S+)/.test(p.stderr), 'the satellite to listen');
  const url = /listening on (http:\S+)/.exec(sat.stderr)![1]!;
  const name = 'nginx';
  const r = await run(['apidump', '--pcap', capture(name), '--satellite-url', url, '--export-format', 'levo']);
  t.equal(r.code, 0, 'the sensor delivered: the satellite answered every request');
  t.equal(r.log('final stats')!.summary.exported, expectedExchanges(name));
  sat.kill('SIGTERM');
  const exit = await sat.exited;
  t.equal(exit.code, 0, 'the satellite exits 0');
  t.match(sat.stderr, /standard output closed by its reader/);
  t.notMatch(sat.stderr, STACK_LINE);
});

t.test('--out on a full disk: requests still answered, exit 1 at the end, saying why', async (t) => {
  const sat = startSensor(['satellite', '--port', '0', '--out', '/dev/full']);
  t.teardown(() => sat.kill('SIGKILL'));
  await sat.until((p) => /listening on (http:\S+)/.test(p.stderr), 'the satellite to listen');
  const url = /listening on (http:\S+)/.exec(sat.stderr)![1]!;
  const r = await run(['apidump', '--pcap', capture('nginx'), '--satellite-url', url, '--export-format', 'levo']);
  t.equal(r.code, 0, 'the sensor delivered');
  await sat.until((p) => /writing records failed/.test(p.stderr), 'the write failure to be reported');
  sat.kill('SIGTERM');
  const exit = await sat.exited;
  t.equal(exit.code, 1, 'exit 1: records were lost');
  t.match(sat.stderr, /^Error: satellite: --out: writing records failed: no space left on the device$/m);
  t.notMatch(sat.stderr, STACK_LINE);
});
