/**
 * Live capture benchmark (a script, not a test). As root:
 *
 *   node --import @tapjs/typescript/import bench/live/replay-bench.ts \
 *     [--rates 25000,50000,100000,250000] [--seconds 4] [--buffer 67108864] [--pcap FILE]
 *     [--tools sensor,cli,tcpdump,cap] [--pin 0:1 | --pin none] [--nice -20:-20 | --nice none]
 *     [--pps-multi 10] [--profile DIR]
 *
 * Makes two network namespaces joined by a veth (test/live/fixtures/netns.ts). Without --pcap it
 * first records a capture to replay: wrk against a Node HTTP server across the veth, tcpdump on the
 * server side. Then, for each rate and capturer (bench/live/capturers.ts), one at a time, replays
 * rate x seconds packets (a finite burst) from namespace B into the veth while the capturer listens
 * on A's end, with
 *
 *   tcpreplay -K --pps=<rate> --pps-multi=<M> --unique-ip --loop=<n> --limit=<rate x seconds>
 *
 * -K sends from memory (no file reads while timing); --pps-multi=M sends M packets per timing tick
 * (bursts of M back to back at the average rate); --unique-ip gives every loop new addresses (new
 * flows, so the reassembly sees real connections) without touching checksums: it costs the sender
 * next to nothing. The sender's cost is the kernel's: sendto, veth delivery, the AF_PACKET copy into
 * the capturer's ring and the receiving namespace's IP input all run in tcpreplay's context, 2.7-3.8
 * us of one core per packet here, so one core offers at most ~350k pkt/s of this traffic (figures and
 * the options evaluated: docs/capture.md, "Benchmark").
 *
 * Fairness on a small, shared machine:
 * - `--pin C:R` (default 0:1 when taskset exists and there are >= 2 cores) pins the capturer to core C
 *   and tcpreplay to core R, so they do not take turns on one core.
 * - `--nice S:C` (default -20:-20) runs tcpreplay at nice S and the capturer at nice C (the same for
 *   every capturer), each in a session of its own (bench/live/scheduling.ts: with autogroup
 *   scheduling plain nice does not hold against other sessions), so other work on the machine
 *   cannot take the sender's core (the rate offered would fall below the target) nor the capturer's
 *   (it would drop for want of CPU, not of speed). `--nice none` runs both unchanged, in this session.
 *   "waited s" reports what the capturer still lost to other work.
 *
 * Per rate and capturer it prints: packets tcpreplay sent and the rate it really achieved (its own
 * "Rated: ... pps"), tcpreplay's CPU (user+system, seconds), packets the veth dropped before any
 * capturer could see them (send side), packets seen, lost (sent - seen), kernel drops, the
 * capturer's CPU (user+system from /proc, from the start of the replay until it is idle again, so a
 * capturer slower than the sender is measured catching up from its ring) in seconds and as percent
 * of one core over the replay's duration (above 100 when it worked on after the replay), the
 * seconds its main thread waited runnable for its core, for the sensor how long after the end of
 * the replay it answered a mark (between two batches: up to 4 batches of 32768 packets each) and
 * what was still in its ring then (how far behind the sender it ran), and the 1-minute load average.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NetnsPair, waitForLine } from '../../test/live/fixtures/netns.js';
import { TOOLS, startCapturer, type Tool } from './capturers.js';
import { schedStat, schedulingPrefix } from './scheduling.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SERVER = join(HERE, '..', '..', 'test', 'live', 'fixtures', 'http-server.mjs');
const CLK_TCK = 100;
/** Locally administered unicast address that no interface has (see toOtherHost). */
const OTHER_HOST_MAC = '02:00:00:00:00:01';

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
const niceArg = arg('nice', '-20:-20');
const [senderNice, capNice] = niceArg === 'none' ? [undefined, undefined] : niceArg.split(':').map(Number);
const capPin = schedulingPrefix(capNice, capCore);
const replayPin = schedulingPrefix(senderNice, replayCore);
const ppsMulti = Math.max(1, Number(arg('pps-multi', '10')));

interface Row {
  rate: number; sent: number; sentPps: number; replaySec: number; senderCpuSec: number; vethDrops: number;
  tool: string; seen: number; lost: number; drops: number | null; cpuSec: number; cpuPct: number;
  /** Seconds the capturer's main thread waited runnable for its core during the measurement. */
  waitSec: number;
  /** Sensor only (null for the others): seconds from the end of the replay until it answered the mark
   *  (it answers between two batches), and the packets still in its ring, unread, at that moment. */
  markSec: number | null; backlog: number | null;
  load1: number; note: string;
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
  const pcap = toOtherHost(givenPcap || (await record()));
  const count = Number(pair.run(pair.a, ['sh', '-c', `tcpdump -r ${pcap} 2>/dev/null | wc -l`]).stdout.trim());
  console.error(`replaying ${pcap} (${count} packets, ${statSync(pcap).size} bytes), ${seconds} s per rate, ` +
    `buffer ${bufferBytes} bytes, pinning ${pinArg === 'none' ? 'off' : `capturer on core ${capCore}, tcpreplay on core ${replayCore}`}, ` +
    `nice (own session) ${niceArg === 'none' ? 'off' : `tcpreplay ${senderNice}, capturer ${capNice}`}, --pps-multi=${ppsMulti}`);
  const rows: Row[] = [];
  for (const rate of rates) {
    for (const tool of tools) {
      const row = await measure(tool, rate, pcap, count);
      if (row) { rows.push(row); console.error(JSON.stringify(row)); }
    }
  }
  console.log('| target pkt/s | sent (achieved pkt/s) | tcpreplay CPU s | veth drops | capturer | seen | lost | kernel drops | ' +
    'CPU s | CPU % of a core | waited s | mark after s (in ring) | load 1 min | note |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const mark = r.markSec === null ? '' : `${r.markSec} (${r.backlog})`;
    console.log(`| ${r.rate} | ${r.sent} (${r.sentPps}) | ${r.senderCpuSec} | ${r.vethDrops} | ${r.tool} | ${r.seen} | ${r.lost} | ` +
      `${r.drops ?? 'n/a'} | ${r.cpuSec} | ${r.cpuPct} | ${r.waitSec} | ${mark} | ${r.load1} | ${r.note} |`);
  }
} finally {
  cleanup();
}

/**
 * The replay file: `recorded` with every destination MAC set to OTHER_HOST_MAC (tcprewrite). The frames
 * then reach A as PACKET_OTHERHOST: the capturers (all promiscuous) see them as before, and A's IP stack
 * drops each at its first check instead of routing it and answering with TCP resets. That input work
 * runs on the sender's core (veth delivery happens in tcpreplay's context): measured here, it took
 * tcpreplay from ~2.8 to ~2.4 CPU-s per million packets, and no reset adds to what a capturer sees.
 */
function toOtherHost(recorded: string): string {
  const file = join(work, 'replay.pcap');
  const r = spawnSync('tcprewrite', [`--enet-dmac=${OTHER_HOST_MAC}`, '-i', recorded, '-o', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tcprewrite failed (${r.error?.message ?? r.stderr})`);
  return file;
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
  const sched0 = schedStat(capturer.pid);
  const veth0 = vethDrops();
  const loops = Math.max(2, Math.ceil((rate * seconds) / count) + 1);
  // bash's `times` prints the CPU of its finished children (tcpreplay) on its second line
  const replayCmd = `tcpreplay -i ${pair.ifB} -K --pps=${rate} --pps-multi=${ppsMulti} --unique-ip ` +
    `--loop=${loops} --limit=${rate * seconds} ${pcap}; times`;
  const replay = pair.run(pair.b, [...replayPin, 'bash', '-c', replayCmd], 120000);
  const replayEnd = Date.now();
  const mark = capturer.mark ? await capturer.mark() : undefined;
  const markSec = mark ? Math.round((Date.now() - replayEnd) / 10) / 100 : null;
  await untilIdle(capturer.pid);
  const cpuSec = (cpuTicks(capturer.pid) - cpu0) / CLK_TCK;
  const waitSec = Math.round((schedStat(capturer.pid).waitSec - sched0.waitSec) * 100) / 100;
  const load1 = Math.round(loadavg()[0] * 100) / 100;
  const sent = Number(/Actual: (\d+) packets/.exec(replay.stdout)?.[1] ?? -1);
  const replaySec = Number(/Actual: \d+ packets \(\d+ bytes\) sent in ([\d.]+) seconds/.exec(replay.stdout)?.[1] ?? -1);
  const sentPps = Math.round(Number(/Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps/.exec(replay.stdout)?.[1] ?? -1));
  if (sent < 0) console.error(`tcpreplay failed: ${replay.stderr}`);
  const res = await capturer.finish();
  return {
    rate, sent, sentPps, replaySec, senderCpuSec: childCpuSec(replay.stdout), vethDrops: vethDrops() - veth0,
    tool, seen: res.packets, lost: Math.max(0, sent - res.packets), drops: res.drops,
    cpuSec, cpuPct: Math.round((cpuSec / replaySec) * 1000) / 10, waitSec, markSec,
    backlog: mark ? Math.max(0, mark.received - mark.seen - mark.kernelDrops) : null,
    load1, note: res.note,
  };
}

/**
 * Waits until the capturer has caught up: at least 1.2 s (ring blocks retire within the block
 * timeout; tcpdump's is 1 s), then until its CPU time grew by at most 2 ticks over 300 ms, at most
 * 60 s. A capturer slower than the sender works through its ring after the replay; stopping it
 * earlier would cut that short (the sensor's graceful drain is bounded: docs/capture.md) and count
 * the unread packets as lost.
 */
async function untilIdle(pid: number): Promise<void> {
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  await sleep(1200);
  const until = Date.now() + 60000;
  let last = cpuTicks(pid);
  while (Date.now() < until) {
    await sleep(300);
    const now = cpuTicks(pid);
    if (now - last <= 2) return;
    last = now;
  }
}

/** user + system seconds of the children from bash's `times` output (its second line: "0m0.41s 0m3.02s"). */
function childCpuSec(stdout: string): number {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const t = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return t.length === 2 ? Math.round((t[0] + t[1]) * 100) / 100 : -1;
}

/**
 * Packets the veth pair dropped before delivery (send side: vb's tx_dropped; receive side: va's
 * rx_dropped, e.g. a full backlog queue), from `ip -s -j link`. No capturer can see these.
 */
function vethDrops(): number {
  const get = (ns: string, dev: string, dir: 'rx' | 'tx'): number => {
    const r = pair.run(ns, ['ip', '-s', '-j', 'link', 'show', dev]);
    try { return Number(JSON.parse(r.stdout)[0].stats64[dir].dropped ?? 0); } catch { return 0; }
  };
  return get(pair.b, pair.ifB, 'tx') + get(pair.a, pair.ifA, 'rx');
}
