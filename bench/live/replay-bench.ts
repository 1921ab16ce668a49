/**
 * Live capture benchmark (a script, not a test). As root:
 *
 *   node --import @tapjs/typescript/import bench/live/replay-bench.ts \
 *     [--rates 25000,50000,100000,250000,400000] [--seconds 4] [--buffer 67108864] [--pcap FILE]
 *
 * Makes two network namespaces joined by a veth (test/live/fixtures/netns.ts). Without --pcap it
 * first records a capture to replay: wrk against a Node HTTP server across the veth, tcpdump on the
 * server side. Then, for each rate, replays it with `tcpreplay --pps=<rate> --unique-ip --loop`
 * (new flows every loop, so the reassembly sees real connections) from namespace B into the veth,
 * once per capturer listening on A's end, one capturer at a time (2 cores: the replay needs one):
 *   sensor   openLiveSources + the whole pipeline, exchanges written to a local JSONL file
 *   tcpdump  -w /dev/null with the same kernel buffer
 *   cap      the npm package, when it is installed (skipped otherwise)
 * and prints, per rate and capturer: packets sent (tcpreplay's count and achieved rate), packets
 * seen, kernel drops, CPU (percent of one core over the replay).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { NetnsPair, collectLines, waitForLine } from '../../test/live/fixtures/netns.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SERVER = join(HERE, '..', '..', 'test', 'live', 'fixtures', 'http-server.mjs');
const SENSOR = join(HERE, 'sensor-capture.ts');
const CAP = join(HERE, 'cap-capture.mjs');
const CLK_TCK = 100;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}
const rates = arg('rates', '25000,50000,100000,250000,400000').split(',').map(Number);
const seconds = Number(arg('seconds', '4'));
const bufferBytes = Number(arg('buffer', String(64 * 1024 * 1024)));
const givenPcap = process.argv.includes('--pcap') ? arg('pcap', '') : '';

interface Row { rate: number; sent: number; sentPps: number; tool: string; seen: number; drops: number | null; cpuPct: number; note: string }

/** user + system CPU ticks of a process (and its reaped children) from /proc. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
}

const pair = new NetnsPair('bench');
const work = mkdtempSync(join(tmpdir(), 'live-bench-'));
const cleanup = (): void => { pair.destroy(); rmSync(work, { recursive: true, force: true }); };
process.on('SIGINT', () => { cleanup(); process.exit(130); });

try {
  pair.create();
  const pcap = givenPcap || (await record());
  const count = Number(pair.run(pair.a, ['sh', '-c', `tcpdump -r ${pcap} 2>/dev/null | wc -l`]).stdout.trim());
  console.error(`replaying ${pcap} (${count} packets, ${statSync(pcap).size} bytes), ${seconds} s per rate, buffer ${bufferBytes} bytes`);
  const rows: Row[] = [];
  for (const rate of rates) {
    for (const tool of ['sensor', 'tcpdump', 'cap']) {
      const row = await measure(tool, rate, pcap, count);
      if (row) { rows.push(row); console.error(JSON.stringify(row)); }
    }
  }
  console.log('| target pkt/s | sent (achieved pkt/s) | capturer | packets seen | kernel drops | CPU % of a core | note |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.rate} | ${r.sent} (${r.sentPps}) | ${r.tool} | ${r.seen} | ${r.drops ?? 'n/a'} | ${r.cpuPct} | ${r.note} |`);
  }
} finally {
  cleanup();
}

/** Records wrk traffic across the veth into a pcap (the capture replayed at every rate). */
async function record(): Promise<string> {
  const file = join(work, 'recorded.pcap');
  const server = pair.start(pair.a, [process.execPath, SERVER, pair.addrA, '8080']);
  await waitForLine(server, (l) => l === 'listening');
  const dump = pair.start(pair.a, ['tcpdump', '-i', pair.ifA, '-s', '262144', '-B', '65536', '-w', file, 'tcp']);
  await waitForStderr(dump, /listening on/);
  pair.run(pair.b, ['timeout', '20', 'wrk', '-t1', '-c16', '-d2s', `http://${pair.addrA}:8080/small`]);
  pair.run(pair.b, ['sh', '-c', `for i in 1 2 3 4 5; do curl -s -o /dev/null 'http://${pair.addrA}:8080/big?n=200000'; done`]);
  await new Promise((r) => setTimeout(r, 300));
  dump.kill('SIGTERM');
  await new Promise((r) => dump.once('exit', r));
  server.kill('SIGTERM');
  return file;
}

function waitForStderr(child: ChildProcess, re: RegExp, timeoutMs = 10000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`timeout waiting for ${re}: ${text}`)), timeoutMs);
    child.stderr!.on('data', (c) => {
      text += c;
      if (re.test(text)) { clearTimeout(timer); resolve(text); }
    });
  });
}

async function measure(tool: string, rate: number, pcap: string, count: number): Promise<Row | undefined> {
  let child: ChildProcess;
  let stderr = '';
  if (tool === 'tcpdump') {
    child = pair.start(pair.a, ['tcpdump', '-i', pair.ifA, '-s', '262144', '-B', String(bufferBytes >> 10), '-w', '/dev/null']);
    child.stderr!.on('data', (c) => { stderr += c; });
    await waitForStderrText(() => stderr, /listening on/);
  } else {
    const script = tool === 'sensor'
      ? [process.execPath, '--import', '@tapjs/typescript/import', SENSOR, pair.ifA, String(bufferBytes), join(work, 'exchanges.jsonl')]
      : [process.execPath, CAP, pair.ifA, String(bufferBytes)];
    child = pair.start(pair.a, script, { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' });
    collectLines(child);
    const first = JSON.parse(await waitForLine(child, (l) => l.startsWith('{'), 30000));
    if (first.unavailable) {
      if (rate === rates[0]) console.error(`cap: skipped (${first.unavailable})`);
      return undefined;
    }
  }
  const cpu0 = cpuTicks(child.pid!);
  const t0 = process.hrtime.bigint();
  const loops = Math.max(2, Math.ceil((rate * seconds) / count) + 1);
  const replay = pair.run(pair.b, ['tcpreplay', '-i', pair.ifB, `--pps=${rate}`, '--unique-ip', `--loop=${loops}`,
    `--limit=${rate * seconds}`, pcap], 120000);
  await new Promise((r) => setTimeout(r, 1200)); // ring blocks retire within the block timeout (tcpdump: 1 s)
  const cpu1 = cpuTicks(child.pid!);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuPct = Math.round(((cpu1 - cpu0) / CLK_TCK / wall) * 1000) / 10;
  const sent = Number(/Actual: (\d+) packets/.exec(replay.stdout)?.[1] ?? -1);
  const sentPps = Math.round(Number(/Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps/.exec(replay.stdout)?.[1] ?? -1));
  const base = { rate, sent, sentPps, tool, cpuPct };
  if (tool === 'tcpdump') {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const seen = Number(/(\d+) packets captured/.exec(stderr)?.[1] ?? -1);
    const drops = Number(/(\d+) packets dropped by kernel/.exec(stderr)?.[1] ?? -1);
    return { ...base, seen, drops, note: 'tcpdump -w /dev/null' };
  }
  child.stdin!.write('stop\n');
  const res = JSON.parse(await waitForLine(child, (l) => l.startsWith('{'), 60000));
  await new Promise((r) => child.once('exit', r));
  if (tool === 'sensor') {
    return { ...base, seen: res.packets, drops: res.kernelDrops, note: `${res.exchanges} exchanges to a JSONL file` };
  }
  return { ...base, seen: res.packets, drops: null, note: 'cap has no drop counter' };
}

async function waitForStderrText(get: () => string, re: RegExp, timeoutMs = 10000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!re.test(get())) {
    if (Date.now() > until) throw new Error(`timeout waiting for ${re}: ${get()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

if (!existsSync(SERVER)) throw new Error(`missing ${SERVER}`);
