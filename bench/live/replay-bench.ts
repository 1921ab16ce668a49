/**
 * Live capture benchmark (a script, not a test). As root:
 *
 *   node --import @tapjs/typescript/import bench/live/replay-bench.ts \
 *     [--rates 25000,50000,100000,250000] [--seconds 4] [--buffer 67108864] [--pcap FILE]
 *     [--tools sensor,cli,tcpdump,cap] [--pin 0:1 | --pin none] [--profile DIR]
 *
 * Makes two network namespaces joined by a veth (test/live/fixtures/netns.ts). Without --pcap it
 * first records a capture to replay: wrk against a Node HTTP server across the veth, tcpdump on the
 * server side. Then, for each rate and capturer (bench/live/capturers.ts), one at a time, replays it
 * with `tcpreplay --pps=<rate> --unique-ip --loop` (new flows every loop, so the reassembly sees real
 * connections) from namespace B into the veth while the capturer listens on A's end.
 *
 * Fairness on a small machine: `--pin C:R` (default 0:1 when taskset exists and there are >= 2 cores)
 * pins the capturer to core C and tcpreplay to core R, so they do not take turns on one core. veth
 * delivery (including the AF_PACKET copy into the ring) runs in the sender's softirq, on R.
 *
 * Per rate and capturer it prints: packets tcpreplay sent and the rate it really achieved (its own
 * "Rated: ... pps"), packets seen, lost (sent - seen), kernel drops, the capturer's CPU (user+system
 * from /proc, over the replay plus 1.2 s for the last ring blocks) in seconds and as percent of one
 * core over the replay's duration.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NetnsPair, waitForLine } from '../../test/live/fixtures/netns.js';
import { TOOLS, startCapturer, type Tool } from './capturers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SERVER = join(HERE, '..', '..', 'test', 'live', 'fixtures', 'http-server.mjs');
const CLK_TCK = 100;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}
const rates = arg('rates', '25000,50000,100000,250000').split(',').map(Number);
const seconds = Number(arg('seconds', '4'));
const bufferBytes = Number(arg('buffer', String(64 * 1024 * 1024)));
const givenPcap = process.argv.includes('--pcap') ? arg('pcap', '') : '';
const tools = arg('tools', TOOLS.join(',')).split(',') as Tool[];
const profileRoot = process.argv.includes('--profile') ? arg('profile', '') : '';
const hasTaskset = spawnSync('taskset', ['-V']).error === undefined;
const pinArg = arg('pin', hasTaskset && availableParallelism() >= 2 ? '0:1' : 'none');
const [capCore, replayCore] = pinArg === 'none' ? [undefined, undefined] : pinArg.split(':');
const capPin = capCore !== undefined ? ['taskset', '-c', capCore] : [];
const replayPin = replayCore !== undefined ? ['taskset', '-c', replayCore] : [];

interface Row {
  rate: number; sent: number; sentPps: number; replaySec: number; tool: string;
  seen: number; lost: number; drops: number | null; cpuSec: number; cpuPct: number; note: string;
}

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
  if (!existsSync(SERVER)) throw new Error(`missing ${SERVER}`);
  pair.create();
  const pcap = givenPcap || (await record());
  const count = Number(pair.run(pair.a, ['sh', '-c', `tcpdump -r ${pcap} 2>/dev/null | wc -l`]).stdout.trim());
  console.error(`replaying ${pcap} (${count} packets, ${statSync(pcap).size} bytes), ${seconds} s per rate, ` +
    `buffer ${bufferBytes} bytes, pinning ${pinArg === 'none' ? 'off' : `capturer on core ${capCore}, tcpreplay on core ${replayCore}`}`);
  const rows: Row[] = [];
  for (const rate of rates) {
    for (const tool of tools) {
      const row = await measure(tool, rate, pcap, count);
      if (row) { rows.push(row); console.error(JSON.stringify(row)); }
    }
  }
  console.log('| target pkt/s | sent (achieved pkt/s) | capturer | seen | lost | kernel drops | CPU s | CPU % of a core | note |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.rate} | ${r.sent} (${r.sentPps}) | ${r.tool} | ${r.seen} | ${r.lost} | ${r.drops ?? 'n/a'} | ${r.cpuSec} | ${r.cpuPct} | ${r.note} |`);
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

async function measure(tool: Tool, rate: number, pcap: string, count: number): Promise<Row | undefined> {
  let profileDir: string | undefined;
  if (profileRoot && (tool === 'sensor' || tool === 'cli')) {
    profileDir = join(profileRoot, `${tool}-${rate}`);
    mkdirSync(profileDir, { recursive: true });
  }
  const capturer = await startCapturer(tool, { pair, bufferBytes, pin: capPin, workDir: work, profileDir });
  if (!capturer) return undefined;
  const cpu0 = cpuTicks(capturer.pid);
  const loops = Math.max(2, Math.ceil((rate * seconds) / count) + 1);
  const replay = pair.run(pair.b, [...replayPin, 'tcpreplay', '-i', pair.ifB, `--pps=${rate}`, '--unique-ip',
    `--loop=${loops}`, `--limit=${rate * seconds}`, pcap], 120000);
  await new Promise((r) => setTimeout(r, 1200)); // ring blocks retire within the block timeout (tcpdump: 1 s)
  const cpuSec = (cpuTicks(capturer.pid) - cpu0) / CLK_TCK;
  const sent = Number(/Actual: (\d+) packets/.exec(replay.stdout)?.[1] ?? -1);
  const replaySec = Number(/Actual: \d+ packets \(\d+ bytes\) sent in ([\d.]+) seconds/.exec(replay.stdout)?.[1] ?? -1);
  const sentPps = Math.round(Number(/Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps/.exec(replay.stdout)?.[1] ?? -1));
  const res = await capturer.finish();
  return {
    rate, sent, sentPps, replaySec, tool, seen: res.packets, lost: Math.max(0, sent - res.packets), drops: res.drops,
    cpuSec, cpuPct: Math.round((cpuSec / replaySec) * 1000) / 10, note: res.note,
  };
}
