/**
 * Randomized reassembly: byte streams cut into random segments, shuffled, duplicated, overlapped
 * and (in the lossy runs) dropped, with a seeded PRNG so every failure replays. Several
 * connections are interleaved in each run, both directions carry data, ISNs are random and some
 * sit just below 2^32 so the streams wrap.
 */
import t, { type Test } from 'tap';
import { ACK, FIN, Harness, SYN, prng, type Endpoint, type RecordingConsumer, type Seg } from './fixtures/harness.js';
import type { Direction } from '../../src/reassembly/types.js';

interface Run {
  lossRate: number;
  /** Seconds of packet time between consecutive packets: [0, maxStep). */
  maxStep: number;
  options: Record<string, number>;
}

interface Flow {
  client: Endpoint;
  server: Endpoint;
  isn: [number, number];
  data: [Buffer, Buffer];
}

const SERVER: Endpoint = { ip: [10, 9, 9, 9], port: 8080 };

function randomFlow(rand: () => number, i: number): Flow {
  const isn = (): number => (rand() < 0.3 ? 2 ** 32 - 1 - Math.floor(rand() * 40000) : Math.floor(rand() * 2 ** 32));
  const bytes = (): Buffer => {
    const b = Buffer.alloc(Math.floor(rand() * 30000));
    for (let k = 0; k < b.length; k++) b[k] = Math.floor(rand() * 256);
    return b;
  };
  return { client: { ip: [10, 0, 0, 1 + i], port: 30000 + i }, server: SERVER, isn: [isn(), isn()], data: [bytes(), bytes()] };
}

/** Data segments of one direction: a clean cut, plus duplicates and overlapping re-sends. */
function segmentsOf(rand: () => number, flow: Flow, dir: Direction, lossRate: number): Seg[] {
  const from = dir === 0 ? 'c' : 's';
  const data = flow.data[dir];
  const first = (flow.isn[dir] + 1) >>> 0;
  const out: Seg[] = [];
  for (let off = 0; off < data.length;) {
    const len = Math.min(data.length - off, 1 + Math.floor(rand() * 1500));
    const seg: Seg = { from, seq: (first + off) >>> 0, data: data.subarray(off, off + len) };
    if (rand() >= lossRate) out.push(seg);
    if (rand() < 0.1) out.push(seg); // duplicate
    off += len;
  }
  for (let k = Math.floor(rand() * 6); k > 0 && data.length > 0; k--) {
    // an overlapping re-send of an arbitrary range (it may also fill part of a lost segment)
    const start = Math.floor(rand() * data.length);
    const len = 1 + Math.floor(rand() * Math.min(3000, data.length - start));
    out.push({ from, seq: (first + start) >>> 0, data: data.subarray(start, start + len) });
  }
  out.push({ from, seq: (first + data.length) >>> 0, flags: ACK | FIN }); // FINs are never lost
  return out;
}

function shuffle<T>(rand: () => number, a: T[]): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const x = a[i];
    a[i] = a[j];
    a[j] = x;
  }
}

/** Checks that every delivered byte is at its place and that data + gaps cover the whole stream. */
function checkDirection(t: Test, c: RecordingConsumer, dir: Direction, original: Buffer, lossless: boolean, label: string): void {
  let pos = 0;
  let misplaced = 0;
  let gapBytes = 0;
  for (const e of c.events) {
    if (e.kind === 'data' && e.dir === dir) {
      if (!e.bytes.equals(original.subarray(pos, pos + e.bytes.length))) misplaced++;
      pos += e.bytes.length;
    } else if (e.kind === 'gap' && e.dir === dir) {
      gapBytes += e.length;
      pos += e.length;
    }
  }
  if (misplaced !== 0) t.fail(`${label}: ${misplaced} data chunks not at their place`);
  if (pos !== original.length) t.fail(`${label}: delivered + gaps = ${pos}, stream is ${original.length}`);
  if (lossless && gapBytes !== 0) t.fail(`${label}: ${gapBytes} gap bytes without loss`);
}

/** Runs one seed; returns its counters so a test can check that the paths it means to exercise ran. */
function runOnce(t: Test, seed: number, run: Run): Record<string, number> {
  const rand = prng(seed);
  const h = new Harness(run.options);
  const flows = [0, 1, 2].map((i) => randomFlow(rand, i));
  const cap = run.options.maxBufferedBytesPerConn ?? Infinity;
  let time = 1000;
  // handshakes first (in order), then everything else shuffled together
  for (const f of flows) {
    h.feed([
      { from: 'c', seq: f.isn[0], flags: SYN, t: time },
      { from: 's', seq: f.isn[1], ack: (f.isn[0] + 1) >>> 0, flags: SYN | ACK, t: time },
    ], f.client, f.server);
  }
  const all: Array<[Flow, Seg]> = [];
  for (const f of flows) {
    for (const dir of [0, 1] as const) for (const s of segmentsOf(rand, f, dir, run.lossRate)) all.push([f, s]);
  }
  shuffle(rand, all);
  for (const [f, s] of all) {
    time += rand() * run.maxStep;
    s.t = time;
    s.ack = (f.isn[s.from === 'c' ? 1 : 0] + 1) >>> 0; // acknowledges nothing beyond the handshake
    h.feed([s], f.client, f.server);
    if (h.asm.stats().bytesBuffered > cap * flows.length) t.fail(`seed ${seed}: held more than the caps allow`);
  }
  h.asm.closeAll();
  t.equal(h.factory.consumers.length, flows.length, `seed ${seed}: one consumer per flow`);
  for (let i = 0; i < flows.length; i++) {
    const c = h.factory.consumers.find((x) => x.info.clientPort === flows[i].client.port)!;
    for (const dir of [0, 1] as const) {
      checkDirection(t, c, dir, flows[i].data[dir], run.lossRate === 0, `seed ${seed} flow ${i} dir ${dir}`);
    }
    if (c.closes().length !== 1) t.fail(`seed ${seed}: ${c.closes().length} closes`);
  }
  t.equal(h.asm.stats().bytesBuffered, 0, `seed ${seed}: nothing held at the end`);
  t.equal(h.counters.get('reassembly.consumer_error') + h.counters.get('reassembly.internal_error'), 0);
  return h.counters.snapshot();
}

function sum(all: Array<Record<string, number>>, name: string): number {
  return all.reduce((acc, c) => acc + (c[name] ?? 0), 0);
}

t.test('lossless: shuffled, duplicated, overlapping segments give back the original streams', async (t) => {
  const runs = [];
  for (let seed = 1; seed <= 150; seed++) runs.push(runOnce(t, seed, { lossRate: 0, maxStep: 0.001, options: {} }));
  t.ok(sum(runs, 'reassembly.retransmit') > 0, 'retransmissions were exercised');
  t.ok(sum(runs, 'reassembly.overlap') > 0, 'overlaps were exercised');
  t.equal(sum(runs, 'reassembly.gap'), 0, 'no gaps');
});

t.test('lossy: data + gaps cover each stream and every byte is at its place', async (t) => {
  const runs = [];
  for (let seed = 1001; seed <= 1150; seed++) runs.push(runOnce(t, seed, { lossRate: 0.1, maxStep: 0.001, options: {} }));
  t.ok(sum(runs, 'reassembly.gap') > 0, 'gaps were reported');
});

t.test('lossy with timeouts and small caps: same invariants, memory within the caps', async (t) => {
  const options = { streamTimeoutSec: 2, maxBufferedBytesPerConn: 12000, maxSegmentsPerConn: 16, idleTimeoutSec: 1000, closedLingerSec: 1000 };
  const runs = [];
  for (let seed = 2001; seed <= 2100; seed++) runs.push(runOnce(t, seed, { lossRate: 0.05, maxStep: 0.05, options }));
  t.ok(sum(runs, 'reassembly.gap_timeout') > 0, 'stream timeouts were exercised');
  t.ok(sum(runs, 'reassembly.cap_conn_segments') + sum(runs, 'reassembly.cap_conn_bytes') > 0, 'caps were exercised');
  t.comment(`timeouts ${sum(runs, 'reassembly.gap_timeout')}, segment caps ${sum(runs, 'reassembly.cap_conn_segments')}, byte caps ${sum(runs, 'reassembly.cap_conn_bytes')}, data after close ${sum(runs, 'reassembly.after_close')}`);
});
