// The end of a file run: on a terminal (a real pseudo-terminal, util-linux `script`) a progress line on
// standard error rewritten in place and a readable summary (what was found, what each filter, limit and cap
// dropped with the flag that changes it, where the output went) instead of the JSON final stats line;
// without a terminal, no progress and no summary, the JSON `final stats` line as before.
// Every expected figure comes from what the test put in its capture (packets, connections, exchanges per
// host, their packet times) or from the recorded API's ground truth, never from another run of the sensor.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { API, API_PCAP, tempPath } from '../inventory/harness.js';
import { run, SENSOR_BIN, shellWord, startSensor } from '../util/sensor-run.js';
import { buildFrames, type BuiltFrame } from '../robustness/stream-builder.js';
import type { Chunk } from '../robustness/harness.js';
import { LINKTYPE_ETHERNET, writePcapFile } from '../util/pcap-file.js';

/** The capture: KEPT + LIMITED requests to api.test on one connection, then EXCLUDED to excluded.test on another. */
const KEPT = 10;
const LIMITED = 15;
const EXCLUDED = 4;
const CONNECTIONS = 2;
/** 60 a minute: the bucket holds 10 s of tokens (60 / 6 = KEPT) and starts full (docs/policy.md, "Rate limits"). */
const RATE = 60;
const POLICY = ['--rate-limit', String(RATE), '--host-exclusions', '^excluded\\.test$'];
const ALL = KEPT + LIMITED + EXCLUDED;
const API_TOTAL = API.endpoints.reduce((n, e) => n + e.count, 0);

function exchangesTo(host: string, n: number): Chunk[] {
  return Array.from({ length: n }, (_, i) => {
    const body = `{"item":${i}}`;
    return [
      { dir: 0 as const, data: Buffer.from(`GET /api/items/${i} HTTP/1.1\r\nHost: ${host}\r\n\r\n`) },
      { dir: 1 as const, data: Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`) },
    ];
  }).flat();
}

/** Writes the capture; returns its path and the frames (1 ms of packet time apart, connections 1 s apart). */
function knownCapture(): { path: string; frames: BuiltFrame[] } {
  const clean = { maxSegment: 1460, shuffle: false, duplicate: 0, overlap: 0, loss: 0 };
  const frames = [exchangesTo('api.test', KEPT + LIMITED), exchangesTo('excluded.test', EXCLUDED)].flatMap((chunks, i) => buildFrames(
    { clientIp: '10.0.0.2', serverIp: '10.0.0.1', clientPort: 41000 + i, serverPort: 8080 }, chunks, { ...clean, seed: i + 1 }, 1_700_000_000 + i,
  ).frames);
  const path = tempPath('known.pcap');
  writePcapFile(path, { linkType: LINKTYPE_ETHERNET, nano: true, records: frames.map((f) => ({ tsSec: f.tsSec, tsFrac: f.tsNsec, origLen: f.data.length, data: f.data })) });
  return { path, frames };
}

const known = knownCapture();
const PACKETS = known.frames.length;
const NAME = basename(known.path);
const KIB = `${(statSync(known.path).size / 1024).toFixed(1)} KiB`;
const re = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The text of a screen line after its last "erase line" sequence (what is left on the terminal). */
function afterErase(line: string): string {
  const erase = '\x1b[2K';
  const i = line.lastIndexOf(erase);
  return i < 0 ? line : line.slice(i + erase.length);
}

/** Runs `pcap-sensor ARGS` on a pseudo-terminal (stdin, stdout, stderr); `redirect` is appended to the command. */
async function onTerminal(args: string[], redirect = ''): Promise<{ code: number | null; screen: string }> {
  const log = tempPath('pty.log');
  const quoted = [SENSOR_BIN, ...args].map(shellWord).join(' ');
  const child = spawn('script', ['-qfec', `stty cols 200 rows 50; ${quoted}${redirect}`, log], { stdio: ['ignore', 'ignore', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { code, screen: readFileSync(log, 'utf8') };
}

t.test('the capture is what the expectations assume', async (t) => {
  const apiFrames = known.frames.filter((f) => f.tsSec === 1_700_000_000);
  const spanSec = (apiFrames.at(-1)!.tsNsec - apiFrames[0]!.tsNsec) / 1e9;
  t.ok(spanSec < 60 / RATE, `api.test's requests span ${spanSec} s, less than one token's refill (${60 / RATE} s)`);
  t.ok(statSync(known.path).size >= 1024 && statSync(known.path).size < 1024 * 1024, 'a size shown in KiB');
});

t.test('without a terminal: the JSON final stats line with the capture\'s counts, no progress, no summary', async (t) => {
  const out = tempPath('plain.jsonl');
  const plain = await run(['apidump', '--pcap', known.path, '--out', out, ...POLICY]);
  t.equal(plain.code, 0, plain.stderr);
  const s = plain.log('final stats')?.stats ?? {};
  t.equal(s['pipeline.packets'], PACKETS, 'packets');
  t.equal(s['reassembly.connections_created'], CONNECTIONS, 'connections');
  t.equal(s['http.exchanges'], KEPT, 'kept');
  t.equal(s['http.dropped_by_policy'], LIMITED + EXCLUDED, 'dropped by the policy');
  t.equal(s['policy.dropped.host_exclusion'], EXCLUDED, 'host excluded');
  t.equal(s['policy.rate_limited.global'], LIMITED, 'over the rate limit');
  t.equal(s['export.jsonl.written'], KEPT, 'written');
  t.equal(readFileSync(out, 'utf8').trim().split('\n').length, KEPT);
  t.notMatch(plain.stderr, /\r/, 'no carriage return');
  t.notMatch(plain.stderr, /dropped or cut|packets\/s/, 'no progress line or summary');
});

t.test('on a terminal: progress in place, then the summary', async (t) => {
  const out = tempPath('tty.jsonl');
  const r = await onTerminal(['apidump', '--pcap', known.path, '--out', out, ...POLICY]);
  t.equal(r.code, 0, r.screen);
  const progress = r.screen.split('\r\x1b[2K').filter((l) => l.startsWith(`${NAME}: `));
  t.ok(progress.length >= 2, 'progress lines, each rewriting the last');
  t.match(progress.at(-1)!, new RegExp(`^${re(`${NAME}: ${KIB} / ${KIB} (100%), ${PACKETS} packets, ${ALL} exchanges, `)}[\\d,]+ packets/s`), 'all of the file, every packet and exchange');
  t.notMatch(r.screen, /final stats/, 'no final stats log line');
  const lines = r.screen.split(/\r?\n/).map(afterErase);
  const from = lines.findIndex((l) => l.startsWith(`read ${known.path}: `));
  t.match(lines[from], new RegExp(`^${re(`read ${known.path}: ${KIB}, ${PACKETS} packets in `)}[\\d.]+ s$`), 'what was read');
  t.same(lines.slice(from + 1, from + 6), [
    `  ${ALL} exchanges on ${CONNECTIONS} connections, ${KEPT} kept after the filters and rate limits`,
    '  dropped or cut:',
    `    ${String(EXCLUDED).padStart(8)}  host excluded (--host-exclusions)`,
    `    ${String(LIMITED).padStart(8)}  over the rate limit (--rate-limit ${RATE}/min; 0 = none)`,
    `  ${KEPT} exchanges written to ${out} (--out)`,
  ], 'found, kept, each cut with its flag (and nothing else), where the output went');
  t.equal(readFileSync(out, 'utf8').trim().split('\n').length, KEPT, 'the file has what the summary says');
});

t.test('on a terminal with nothing dropped, to a satellite; --log-level debug shows every counter', async (t) => {
  const sat = startSensor(['satellite', '--port', '0', '--out', '/dev/null']);
  t.teardown(() => sat.kill('SIGKILL'));
  await sat.until((p) => /listening on (http:\S+)/.test(p.stderr), 'the satellite');
  const url = /listening on (http:\S+)/.exec(sat.stderr)![1]!;
  const r = await onTerminal(['apidump', '--pcap', API_PCAP, '--satellite-url', url, '--export-format', 'levo', '--rate-limit', '0', '--log-level', 'debug']);
  t.equal(r.code, 0, r.screen);
  t.match(r.screen, /nothing dropped or cut by filters, rate limits, caps or budgets/);
  t.match(r.screen, new RegExp(`  ${API_TOTAL} exchanges sent to ${re(url)}/? as levo \\(--satellite-url, --export-format\\)`), 'every exchange of the recording');
  t.match(r.screen, /final stats/, 'the full counters at debug level');
});

t.test('standard error redirected on a terminal: no progress, the JSON log', async (t) => {
  const err = tempPath('stderr.log');
  const r = await onTerminal(['apidump', '--pcap', known.path, '--out', tempPath('x.jsonl'), ...POLICY], ` 2>'${err}'`);
  t.equal(r.code, 0);
  const text = readFileSync(err, 'utf8');
  t.notMatch(text, /\r|packets\/s|dropped or cut/);
  t.match(text, /"msg":"final stats"/);
});

t.test('--out - on the same terminal: no progress line among the exchanges, the summary at the end', async (t) => {
  const r = await onTerminal(['apidump', '--pcap', API_PCAP, '--out', '-', '--rate-limit', '0']);
  t.equal(r.code, 0, r.screen);
  t.notMatch(r.screen, /packets\/s/, 'no progress line');
  t.equal(r.screen.split('\n').filter((l) => l.startsWith('{"request":')).length, API_TOTAL, 'every exchange of the recording on its own line');
  t.match(r.screen, new RegExp(`  ${API_TOTAL} exchanges written to standard output \\(--out\\)`));
});
