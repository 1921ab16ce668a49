// `apidump --out` as a process: a file, standard output, paths that cannot be written (checked before capture,
// one line, exit 1), and standard output closed by its reader (`| head -1`): --out ends there, the run goes on,
// the satellite still gets every exchange, final stats are logged, exit 0.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture, expectedExchanges, RecordingSatellite } from './runtime-harness.js';
import { run, runPipedToHead, STACK_LINE } from '../util/sensor-run.js';

const dir = mkdtempSync(join(tmpdir(), 'runtime-out-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('--out FILE and --out -: one line per exchange the clients made', async (t) => {
  for (const name of ['nginx', 'curl-variety']) {
    const file = join(dir, `${name}.jsonl`);
    const r = await run(['apidump', '--pcap', capture(name), '--out', file, '--rate-limit', '0']);
    t.equal(r.code, 0, `${name}: exit 0`);
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    t.equal(lines.length, expectedExchanges(name), `${name}: every exchange in the file`);
    t.ok(lines.every((l) => typeof l.request?.method === 'string'), 'exchange records');

    const s = await run(['apidump', '--pcap', capture(name), '--out', '-', '--rate-limit', '0']);
    t.equal(s.code, 0, `${name} to stdout: exit 0`);
    const out = s.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    t.equal(out.length, expectedExchanges(name), `${name}: every exchange on stdout`);
    t.notMatch(s.stderr, STACK_LINE);
  }
});

t.test('--out that cannot be written: one line naming --out, exit 1, before capture starts', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['/nonexistent/dir/x.jsonl', /--out: cannot write "\/nonexistent\/dir\/x\.jsonl": its directory does not exist/],
    [dir, /--out: cannot write ".*": it is a directory/],
  ];
  for (const [path, message] of cases) {
    const r = await run(['apidump', '--pcap', capture('nginx'), '--out', path]);
    t.equal(r.code, 1, `${path}: exit 1`);
    t.ok(r.log(message), `the message: ${message}`);
    t.equal(r.logs().filter((l) => l.level >= 50).length, 1, 'one error line');
    t.notMatch(r.stderr, STACK_LINE, 'no stack trace');
    t.notOk(r.log('capture started'), 'nothing was captured');
    t.equal(r.stdout, '');
  }
});

t.test('--out on a full disk (/dev/full): every line counted failed, exit 1', async (t) => {
  const n = expectedExchanges('nginx');
  const r = await run(['apidump', '--pcap', capture('nginx'), '--out', '/dev/full']);
  t.equal(r.code, 1);
  t.ok(r.log(/--out write failed/), 'the write error is logged');
  t.ok(r.log(`export failed: ${n} of ${n} exchanges did not reach --out (failed ${n}, dropped 0)`), 'and the loss');
  t.equal(r.log('final stats')!.stats['export.jsonl.written'] ?? 0, 0, 'nothing counted written');
  t.notMatch(r.stderr, STACK_LINE);
});

t.test('| head -1: standard output closed by its reader ends --out only', async (t) => {
  const sat = await RecordingSatellite.start();
  t.teardown(() => sat.close());
  const name = 'nginx'; // its bodies make the output far larger than a pipe holds: later writes meet EPIPE
  const r = await runPipedToHead(['apidump', '--pcap', capture(name), '--out', '-', '--rate-limit', '0',
    '--satellite-url', sat.url(), '--export-format', 'levo', '--levoai-org-id', 'org-pipe'], 1);
  t.equal(r.code, 0, 'exit 0: the reader asked for no more, nothing failed');
  t.equal(r.stdout.split('\n').filter(Boolean).length, 1, 'head printed one line');
  JSON.parse(r.stdout.split('\n')[0]!);
  t.notMatch(r.stderr, STACK_LINE, 'no stack trace');
  t.ok(r.log(/standard output closed by its reader/), 'said why --out ended');
  const final = r.log('final stats');
  t.ok(final, 'final stats logged');
  t.ok(final!.stats['export.jsonl.dropped.stdout_closed'] > 0, 'lines after the closure are counted under their own name');
  t.equal(final!.stats['export.jsonl.failed'] ?? 0, 0, 'and not as failures');
  t.equal(sat.traces().length, expectedExchanges(name), `the satellite got all ${expectedExchanges(name)} exchanges`);
  t.equal(final!.summary.exported, expectedExchanges(name));
});
