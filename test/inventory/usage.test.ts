// Usage errors and failures of `pcap-sensor inventory`, through the real program: usage errors exit 2 with
// one line naming the flag, nothing on stdout; runtime failures (an input or --out that cannot be used) exit 1
// with one `Error:` line; never a stack trace.
import t from 'tap';
import { existsSync } from 'node:fs';
import { API_PCAP, assertUsageError, inventory, jsonl, record, STACK_LINE, tempPath } from './harness.js';
import type { Run } from '../util/sensor-run.js';
import type { Test } from 'tap';

function assertFailure(t: Test, r: Run, re: RegExp): void {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  t.equal(r.code, 1, 'exit status 1');
  t.equal(r.stdout, '', 'nothing on stdout');
  t.equal(lines.length, 1, `one line: ${r.stderr}`);
  t.match(lines[0] ?? '', re);
  t.notMatch(r.stderr, STACK_LINE, 'no stack trace');
}

t.test('inputs: none, both, packet flags with --exchanges', async (t) => {
  assertUsageError(t, await inventory([]), /^Error: nothing to read: give --pcap FILE \(repeatable\) or --exchanges FILE$/);
  const ex = jsonl([record('GET', '/a')]);
  assertUsageError(t, await inventory(['--pcap', API_PCAP, '--exchanges', ex]), /^Error: --pcap and --exchanges exclude each other/);
  assertUsageError(t, await inventory(['--exchanges', ex, '--filter', 'tcp']), /^Error: --filter: applies to packets \(--pcap\), not to --exchanges \(command line\)$/);
  assertUsageError(t, await inventory(['--exchanges', ex, '--max-http-length', '5']), /^Error: --max-http-length: applies to packets/);
});

t.test('bad values name the flag and the command line', async (t) => {
  assertUsageError(t, await inventory(['--pcap', API_PCAP, '--format', 'xml']), /^Error: --format: .*'xml'.* \(command line\)$/);
  assertUsageError(t, await inventory(['--pcap', API_PCAP, '--max-endpoints', '0']), /^Error: --max-endpoints: expected a whole number >= 1, got '0' \(command line\)$/);
  assertUsageError(t, await inventory(['--pcap', API_PCAP, '--param-threshold', 'many']), /^Error: --param-threshold: expected a whole number >= 0, got 'many' \(command line\)$/);
  assertUsageError(t, await inventory(['--pcap', API_PCAP, '--rate-limit', '-1']), /^Error: --rate-limit: expected a whole number >= 0, got '-1' \(command line\)$/);
  assertUsageError(t, await inventory(['--pcap', API_PCAP, '--path-allow', '(']), /^Error: --path-allow: /);
  assertUsageError(t, await inventory(['--pcap', API_PCAP, '--filter', 'port port']), /^Error: --filter: /);
  assertUsageError(t, await inventory(['--pcap', API_PCAP, '--out', 'a', '--out', 'b']), /^Error: --out: given 2 times on the command line/);
  assertUsageError(t, await inventory(['--pcap', API_PCAP, '--frmat', 'json']), /^Error: --frmat: unknown flag \(command line\)$/);
  // inventory logs nothing: it has no --log-level (apidump's flag is not borrowed)
  assertUsageError(t, await inventory(['--pcap', API_PCAP, '--log-level', 'debug']), /^Error: --log-level: unknown flag \(command line\)$/);
  assertUsageError(t, await inventory(['--pcap']), /^Error: --pcap: expected a value \(command line\)$/);
  t.notOk(existsSync('a') || existsSync('b'), 'nothing written');
});

t.test('runtime failures: a missing capture, a file that is not one, an --out that cannot be written, a bad line', async (t) => {
  assertFailure(t, await inventory(['--pcap', tempPath('missing.pcap')]), /^Error: --pcap: .*missing\.pcap/);
  const notPcap = jsonl(['not a capture']);
  assertFailure(t, await inventory(['--pcap', notPcap]), /^Error: --pcap: /);
  assertFailure(t, await inventory(['--pcap', API_PCAP, '--out', '/nonexistent-dir/x.json']), /^Error: --out: cannot write "\/nonexistent-dir\/x\.json": /);
  assertFailure(t, await inventory(['--exchanges', tempPath('missing.jsonl')]), /^Error: --exchanges: cannot read .*missing\.jsonl/);
  const bad = jsonl([record('GET', '/a'), '{"request": 1', record('GET', '/b')]);
  assertFailure(t, await inventory(['--exchanges', bad]), new RegExp(`^Error: --exchanges: .* line 2: not JSON$`));
  const notRecord = jsonl([JSON.stringify({ hello: 'world' })]);
  assertFailure(t, await inventory(['--exchanges', notRecord]), /line 1: not an exchange record/);
});

t.test('--help lists the flags; an empty input is an empty inventory', async (t) => {
  const h = await inventory(['--help']);
  t.equal(h.code, 0);
  for (const f of ['--pcap', '--exchanges', '--format', '--out', '--filter', '--host-allow', '--path-exclusions', '--max-endpoints', '--param-threshold']) t.match(h.stdout, f);
  const r = await inventory(['--exchanges', jsonl([]), '--format', 'json']);
  t.equal(r.code, 0);
  t.same(JSON.parse(r.stdout).endpoints, []);
});
