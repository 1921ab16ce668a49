/**
 * Shared tooling of the robustness tests: the fast-check budget, the byte streams of the recorded
 * fixtures and frames of synthetic TCP connections. The in-process pipeline is in in-process-pipeline.ts.
 *
 * Budget: fast-check runs ROBUSTNESS_RUNS cases per property (default small enough for the whole folder
 * to stay under ~60 s) from ROBUSTNESS_SEED (fixed by default, so CI replays the same cases). For a longer
 * local run: `ROBUSTNESS_RUNS=2000 ROBUSTNESS_SEED=$RANDOM npx tap test/robustness/`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PacketDecoder } from '../../src/decode/packet-decoder.js';
import { DecodedPacket, DecodeResult } from '../../src/decode/types.js';
import { Assembler } from '../../src/reassembly/index.js';
import type { ConnectionInfo, Direction, StreamConsumer, StreamConsumerFactory } from '../../src/reassembly/types.js';
import { Counters } from '../../src/util/counters.js';
import { readPcapFile } from '../util/pcap-file.js';
import * as B from '../util/packet-builder.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CAPTURES_DIR = join(REPO, 'fixtures', 'captures');
export const CAPTURES_H2_DIR = join(REPO, 'fixtures', 'captures-h2');
export const FOUND_DIR = join(REPO, 'fixtures', 'found');

/** Cases per property; multiplied by a per-test weight so heavier properties run fewer cases. */
export const RUNS = Number(process.env.ROBUSTNESS_RUNS ?? 0) || 0;
export const SEED = Number(process.env.ROBUSTNESS_SEED ?? 0x0b5e55ed);

/** Cases for a property whose CI default is `ciRuns`; ROBUSTNESS_RUNS overrides every property. */
export function runs(ciRuns: number): number {
  return RUNS > 0 ? RUNS : ciRuns;
}

/**
 * fast-check parameters: fixed seed, bounded runs, and a bounded total time (shrinking a failure over
 * large streams could otherwise take minutes; the case found so far is then reported).
 */
export function fcParams(ciRuns: number): fc.Parameters<unknown> {
  return { seed: SEED, numRuns: runs(ciRuns), interruptAfterTimeLimit: RUNS > 0 ? 3_600_000 : 25_000, markInterruptAsFailure: false };
}

/**
 * Records what broke in the last failing case: properties call `fail(text)` and return false. Because
 * shrinking ends on the smallest failing case, `last` then describes the reported counterexample.
 */
export class FailureLog {
  last = '';
  fail(text: string): false {
    this.last = text;
    return false;
  }
}

/** Runs a property; '' when it held, else the replay seed/path, what broke and the counterexample. */
export function checkProperty<T>(prop: fc.IProperty<T>, ciRuns: number, log: FailureLog): string {
  const r = fc.check(prop, fcParams(ciRuns) as fc.Parameters<T>);
  if (!r.failed) return '';
  const ex = JSON.stringify(r.counterexample, (_k, v) => (typeof v === 'object' && v?.type === 'Buffer' ? `<${v.data.length} B>` : v));
  return `${log.last || String(r.errorInstance)}\n  replay: ROBUSTNESS_SEED=${r.seed} (path ${r.counterexamplePath})\n  counterexample: ${ex?.slice(0, 1500)}`;
}

// ---------------------------------------------------------------------------------------------
// Fixture byte streams

/** One in-order run of bytes of one direction, in the order the recorded capture delivered it. */
export interface Chunk { dir: Direction; data: Buffer }

export interface FixtureConnection {
  clientPort: number;
  serverPort: number;
  chunks: Chunk[];
}

export interface ExpectedExchange {
  client_port: number; server_port: number; order_on_connection: number; method: string; target: string;
  request_body_length: number; status: number | null; response_body_length: number;
  /** HTTP/2 captures: the stream id (null when the log does not name it) and the flags it must carry (`reset`). */
  stream_id?: number | null; flags?: string[];
}

export interface Fixture {
  name: string;
  linkType: number;
  /** Raw frames with their times, for mutation fuzzing. */
  frames: Array<{ data: Buffer; tsSec: number; tsNsec: number }>;
  connections: FixtureConnection[];
  expected: ExpectedExchange[];
}

/** Records every consumer call; used only to take the clean byte streams out of the recorded fixtures. */
class StreamRecorder implements StreamConsumerFactory {
  readonly connections: FixtureConnection[] = [];
  gaps = 0;
  create(conn: ConnectionInfo): StreamConsumer {
    const rec: FixtureConnection = { clientPort: conn.clientPort, serverPort: conn.serverPort, chunks: [] };
    this.connections.push(rec);
    return {
      onData(dir, data) {
        const last = rec.chunks[rec.chunks.length - 1];
        if (last && last.dir === dir) last.data = Buffer.concat([last.data, data]);
        else rec.chunks.push({ dir, data: Buffer.from(data) });
      },
      onGap: () => { this.gaps++; },
      onClose() {},
    };
  }
}

const fixtureCache = new Map<string, Fixture[]>();

/**
 * Every fixtures/captures/*.pcap with its expected exchanges and the clean byte streams of its
 * connections (the recordings are loss-free: a gap here is a fixture problem and throws).
 */
export function loadFixtures(): Fixture[] {
  return loadCaptures(CAPTURES_DIR, (e) => e as ExpectedExchange);
}

/** The same for the HTTP/2 captures (fixtures/captures-h2; their logs name `path`, `stream_id`, `reset`). */
export function loadH2Fixtures(): Fixture[] {
  return loadCaptures(CAPTURES_H2_DIR, (e) => ({
    client_port: e.client_port, server_port: e.server_port, order_on_connection: e.stream_id ?? 0, method: e.method,
    target: e.path, request_body_length: e.request_body_length, status: e.status, response_body_length: e.response_body_length,
    stream_id: e.stream_id, flags: e.reset ? ['reset'] : [],
  }));
}

function loadCaptures(dir: string, expectedOf: (e: any) => ExpectedExchange): Fixture[] {
  const cached = fixtureCache.get(dir);
  if (cached) return cached;
  const out: Fixture[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.pcap')).sort()) {
    const pcap = readPcapFile(join(dir, f));
    const counters = new Counters();
    const rec = new StreamRecorder();
    const asm = new Assembler(rec, {}, counters, 1);
    const dec = new PacketDecoder(counters);
    const pkt = new DecodedPacket();
    const frames: Fixture['frames'] = [];
    for (const r of pcap.records) {
      const tsNsec = pcap.nano ? r.tsFrac : r.tsFrac * 1000;
      frames.push({ data: r.data, tsSec: r.tsSec, tsNsec });
      pkt.tsSec = r.tsSec;
      pkt.tsNsec = tsNsec;
      if (dec.decode(pcap.linkType, r.data, 0, r.data.length, pkt) === DecodeResult.Ok) asm.onPacket(pkt);
    }
    asm.closeAll();
    if (rec.gaps !== 0) throw new Error(`fixture ${f} has ${rec.gaps} gaps`);
    const logged = JSON.parse(readFileSync(join(dir, f.replace(/\.pcap$/, '.expected.json')), 'utf8')).exchanges as unknown[];
    out.push({ name: f, linkType: pcap.linkType, frames, connections: rec.connections.filter((c) => c.chunks.length > 0), expected: logged.map(expectedOf) });
  }
  fixtureCache.set(dir, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Frames of a synthetic TCP connection

export interface Endpoints { clientIp: string; serverIp: string; clientPort: number; serverPort: number }

/** An Ethernet/IPv4/TCP frame of the connection, from the client (dir 0) or the server (dir 1). */
export function frame(ep: Endpoints, dir: Direction, seq: number, ack: number, flags: number, payload?: Buffer): Buffer {
  const fromClient = dir === 0;
  const seg = B.tcp({
    srcPort: fromClient ? ep.clientPort : ep.serverPort, dstPort: fromClient ? ep.serverPort : ep.clientPort,
    seq: seq >>> 0, ack: ack >>> 0, flags, payload,
  });
  return B.ethernet({ etherType: 0x0800, payload: B.ipv4({ src: fromClient ? ep.clientIp : ep.serverIp, dst: fromClient ? ep.serverIp : ep.clientIp, payload: seg }) });
}

export { InProcessPipeline, isFlagged, checkNeverInvented, DAMAGE_FLAGS } from './in-process-pipeline.js';

export const SYN = B.TCP_FLAGS.SYN;
export const ACK = B.TCP_FLAGS.ACK;
export const FIN = B.TCP_FLAGS.FIN;
export const PSH = B.TCP_FLAGS.PSH;
export const RST = B.TCP_FLAGS.RST;
