/**
 * The capturers compared by bench/live/replay-bench.ts. Each is started inside the capturing
 * namespace (optionally pinned to one core with taskset), reports when it is capturing, and on
 * `finish()` stops and reports what it saw:
 *   sensor   bench/live/sensor-capture.ts: openLiveSources + decode/reassembly/http, one JSON line per
 *            exchange to a local file (no policy, no redaction)
 *   cli      the real `apidump --interface IF --out FILE --rate-limit 0` (policy, redaction, JSONL
 *            exporter), run from source with the TypeScript loader, stopped with SIGTERM
 *   tcpdump  tcpdump -w /dev/null with the same kernel buffer
 *   cap      the npm package `cap` (bench/live/cap-capture.mjs): one JS event per packet
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { type NetnsPair, collectLines, waitForLine } from '../../test/live/fixtures/netns.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const SENSOR = join(HERE, 'sensor-capture.ts');
const CAP = join(HERE, 'cap-capture.mjs');
const CLI = join(ROOT, 'src', 'cli', 'entry.ts');

export const TOOLS = ['sensor', 'cli', 'tcpdump', 'cap'] as const;
export type Tool = typeof TOOLS[number];

export interface CaptureResult {
  packets: number;
  /** null when the capturer has no drop counter (cap). */
  drops: number | null;
  note: string;
}

/** A snapshot taken when the replay ends (sensor only): how far behind the sender the capturer is. */
export interface Mark {
  /** Packets the pipeline has read. */
  seen: number;
  /** Packets the kernel passed through the filter for the handle (pcap_stats ps_recv), read or not. */
  received: number;
  kernelDrops: number;
}

export interface RunningCapturer {
  readonly pid: number;
  /** Present for the sensor only; answered between two batches (the sensor has one JS thread). */
  mark?(): Promise<Mark>;
  finish(): Promise<CaptureResult>;
}

export interface CapturerOptions {
  pair: NetnsPair;
  bufferBytes: number;
  /** Command prefix for scheduling (bench/live/scheduling.ts: setsid, nice, taskset), or []. Every
   *  element must exec the next, so the spawned pid is the capturer's. */
  pin: string[];
  workDir: string;
  /** Directory for `node --cpu-prof` profiles of the sensor / cli, or undefined. */
  profileDir?: string;
}

/** The V8 flags bin/pcap-sensor starts Node.js with (bin/v8-flags), so measured runs match real ones. */
const V8_FLAGS = readFileSync(join(ROOT, 'bin', 'v8-flags'), 'utf8').trim().split(/\s+/);

function tsNode(o: CapturerOptions, script: string, args: string[]): string[] {
  const prof = o.profileDir ? ['--cpu-prof', '--cpu-prof-dir', o.profileDir] : [];
  return [...o.pin, process.execPath, ...V8_FLAGS, ...prof, '--import', '@tapjs/typescript/import', script, ...args];
}

/** Starts `tool`; resolves once it is capturing, or undefined when the tool is unavailable. */
export async function startCapturer(tool: Tool, o: CapturerOptions): Promise<RunningCapturer | undefined> {
  const { pair } = o;
  const env = { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' };
  if (tool === 'tcpdump') {
    const child = pair.start(pair.a, [...o.pin, 'tcpdump', '-i', pair.ifA, '-s', '262144', '-B', String(o.bufferBytes >> 10), '-w', '/dev/null']);
    const err = stderrText(child);
    await waitFor(() => /listening on/.test(err.text), 10000);
    return {
      pid: child.pid!,
      async finish() {
        child.kill('SIGTERM');
        await exited(child);
        const packets = Number(/(\d+) packets captured/.exec(err.text)?.[1] ?? -1);
        const drops = Number(/(\d+) packets dropped by kernel/.exec(err.text)?.[1] ?? -1);
        return { packets, drops, note: 'tcpdump -w /dev/null' };
      },
    };
  }
  if (tool === 'cli') {
    const out = join(o.workDir, 'cli-exchanges.jsonl');
    const child = pair.start(pair.a, tsNode(o, CLI, ['apidump', '--interface', pair.ifA, '--out', out, '--rate-limit', '0',
      '--capture-buffer-size', String(o.bufferBytes), '--stats-interval', '3600']), env);
    const err = stderrText(child);
    await waitFor(() => /capture started/.test(err.text), 30000);
    return {
      pid: child.pid!,
      async finish() {
        child.kill('SIGTERM');
        await exited(child);
        const line = err.text.split('\n').find((l) => l.includes('"final stats"'));
        const stats = line ? JSON.parse(line).stats as Record<string, number> : {};
        return {
          packets: stats['capture.packets'] ?? stats['pipeline.packets'] ?? -1,
          drops: stats['capture.kernel_drops'] ?? -1,
          note: `${stats['export.jsonl.written'] ?? '?'} exchanges written (of ${stats['http.exchanges'] ?? '?'}; ` +
            `queue_full ${stats['export.dropped.queue_full'] ?? 0}, backpressure ${stats['export.jsonl.dropped.backpressure'] ?? 0}; ` +
            `drain ${stats['capture.drain_packets'] ?? '?'} packets, cut ${stats['capture.drain_cut'] ?? '?'})`,
        };
      },
    };
  }
  const cmd = tool === 'sensor'
    ? tsNode(o, SENSOR, [pair.ifA, String(o.bufferBytes), join(o.workDir, 'exchanges.jsonl')])
    : [...o.pin, process.execPath, CAP, pair.ifA, String(o.bufferBytes)];
  const child = pair.start(pair.a, cmd, env);
  collectLines(child);
  const first = JSON.parse(await waitForLine(child, (l) => l.startsWith('{'), 30000));
  if (first.unavailable) {
    console.error(`cap: skipped (${first.unavailable})`);
    return undefined;
  }
  return {
    pid: child.pid!,
    mark: tool === 'sensor' ? async () => {
      child.stdin!.write('mark\n');
      return JSON.parse(await waitForLine(child, (l) => l.startsWith('{"mark"'), 60000)) as Mark;
    } : undefined,
    async finish() {
      child.stdin!.write('stop\n');
      const res = JSON.parse(await waitForLine(child, (l) => l.startsWith('{'), 60000));
      await exited(child);
      if (tool === 'cap') return { packets: res.packets, drops: null, note: 'cap has no drop counter' };
      return { packets: res.packets, drops: res.kernelDrops, note: `${res.exchanges} exchanges to a JSONL file` };
    },
  };
}

function stderrText(child: ChildProcess): { text: string } {
  const acc = { text: '' };
  child.stderr!.on('data', (c) => { acc.text += c; });
  child.stdout!.resume();
  return acc;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting for the capturer to start');
    await new Promise((r) => setTimeout(r, 20));
  }
}
