// The end of a file run: on a terminal (a real pseudo-terminal, util-linux `script`) a progress line on
// standard error rewritten in place and a readable summary (what was found, what each filter, limit and cap
// dropped with the flag that changes it, where the output went) instead of the JSON final stats line;
// without a terminal, no progress and no summary, the JSON `final stats` line as before.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { run, startSensor } from './runtime-harness.js';
import { API_PCAP, tempPath } from '../inventory/harness.js';
import { SENSOR_BIN } from '../util/sensor-run.js';

const POLICY = ['--rate-limit', '10', '--path-exclusions', '^/health'];

/** Runs `pcap-sensor ARGS` on a pseudo-terminal (stdin, stdout, stderr); `redirect` is appended to the command. */
async function onTerminal(args: string[], redirect = ''): Promise<{ code: number | null; screen: string }> {
  const log = tempPath('pty.log');
  const quoted = [SENSOR_BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qfec', `stty cols 200 rows 50; ${quoted}${redirect}`, log], { stdio: ['ignore', 'ignore', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { code, screen: readFileSync(log, 'utf8') };
}

const plainOut = tempPath('plain.jsonl');
const plain = await run(['apidump', '--pcap', API_PCAP, '--out', plainOut, ...POLICY]);
const finalStats = plain.log('final stats');

t.test('without a terminal: the JSON final stats line, no progress, no summary', async (t) => {
  t.equal(plain.code, 0, plain.stderr);
  t.ok(finalStats, 'the final stats line');
  t.ok(finalStats!.stats['pipeline.packets'] > 0 && finalStats!.stats['http.dropped_by_policy'] > 0, 'with every counter');
  t.notMatch(plain.stderr, /\r/, 'no carriage return');
  t.notMatch(plain.stderr, /dropped or cut|packets\/s/, 'no progress line or summary');
});

t.test('on a terminal: progress in place, then the summary', async (t) => {
  const out = tempPath('tty.jsonl');
  const r = await onTerminal(['apidump', '--pcap', API_PCAP, '--out', out, ...POLICY]);
  t.equal(r.code, 0, r.screen);
  const s = finalStats!.stats;
  const progress = r.screen.split('\r\x1b[2K').filter((l) => l.startsWith('api.pcap: '));
  t.ok(progress.length >= 2, 'progress lines, each rewriting the last');
  const last = progress.at(-1)!;
  t.match(last, /^api\.pcap: 79\.7 KiB \/ 79\.7 KiB \(100%\), /, 'all of the file read');
  t.match(last, new RegExp(`, ${s['pipeline.packets']} packets, ${s['http.exchanges'] + s['http.dropped_by_policy']} exchanges, [\\d,]+ packets/s`), 'packets and exchanges');
  t.notMatch(r.screen, /"msg":"final stats"|final stats/, 'no final stats log line');
  const found = s['http.exchanges'] + s['http.dropped_by_policy'];
  t.match(r.screen, new RegExp(`read \\S+api\\.pcap: 79\\.7 KiB, ${s['pipeline.packets']} packets in [\\d.]+ s`));
  t.match(r.screen, new RegExp(`${found} exchanges on ${s['reassembly.connections_created']} connections, ${s['http.exchanges']} kept after the filters and rate limits`));
  t.match(r.screen, new RegExp(` ${s['policy.dropped.path_exclusion']}  path excluded \\(--path-exclusions\\)`), 'the filter, with its flag');
  t.match(r.screen, new RegExp(` ${s['policy.rate_limited.global']}  over the rate limit \\(--rate-limit 10/min; 0 = none\\)`), 'the rate limit, with its flag and value');
  t.match(r.screen, new RegExp(`${s['export.jsonl.written']} exchanges written to ${out.replace(/[.]/g, '\\.')} \\(--out\\)`), 'where the output went');
  t.equal(readFileSync(out, 'utf8').trim().split('\n').length, s['export.jsonl.written'], 'the file has what the summary says');
});

t.test('on a terminal with nothing dropped, to a satellite; --log-level debug shows every counter', async (t) => {
  const sat = startSensor(['satellite', '--port', '0', '--out', '/dev/null']);
  t.teardown(() => sat.kill('SIGKILL'));
  await sat.until((p) => /listening on (http:\S+)/.test(p.stderr), 'the satellite');
  const url = /listening on (http:\S+)/.exec(sat.stderr)![1]!;
  const r = await onTerminal(['apidump', '--pcap', API_PCAP, '--satellite-url', url, '--export-format', 'levo', '--rate-limit', '0', '--log-level', 'debug']);
  t.equal(r.code, 0, r.screen);
  t.match(r.screen, /nothing dropped or cut by filters, rate limits, caps or budgets/);
  t.match(r.screen, new RegExp(`145 exchanges sent to ${url}/? as levo \\(--satellite-url, --export-format\\)`));
  t.match(r.screen, /final stats/, 'the full counters at debug level');
});

t.test('standard error redirected on a terminal: no progress, the JSON log', async (t) => {
  const err = tempPath('stderr.log');
  const r = await onTerminal(['apidump', '--pcap', API_PCAP, '--out', tempPath('x.jsonl')], ` 2>'${err}'`);
  t.equal(r.code, 0);
  const text = readFileSync(err, 'utf8');
  t.notMatch(text, /\r|packets\/s|dropped or cut/);
  t.match(text, /"msg":"final stats"/);
});

t.test('--out - on the same terminal: no progress line among the exchanges, the summary at the end', async (t) => {
  const r = await onTerminal(['apidump', '--pcap', API_PCAP, '--out', '-', '--rate-limit', '0']);
  t.equal(r.code, 0, r.screen);
  t.notMatch(r.screen, /packets\/s/, 'no progress line');
  t.equal(r.screen.split('\n').filter((l) => l.startsWith('{"request":')).length, 145, 'every exchange on its own line');
  t.match(r.screen, /145 exchanges written to standard output \(--out\)/);
});
