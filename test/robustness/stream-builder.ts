/**
 * Turns the ordered byte runs of one TCP connection (Chunk[]) into captured frames with a chosen amount
 * of damage: random segmentation, reordering inside a flight, duplicates, overlapping re-sends and loss.
 *
 * Model: each chunk is one flight of one direction; its segments may be shuffled inside windows of 64, but a
 * flight is never overtaken by the next flight of the other direction (a server does not answer bytes it
 * has not received). Re-sends (duplicates, overlaps) come after their original, up to the end of the
 * connection. An overlap re-send of a neighbour of a lost segment may still cover part of the lost bytes. Lost segments are never
 * sent again, so they become gaps. Both FINs are sent and ACKed.
 */
import fc from 'fast-check';
import type { Chunk, Endpoints } from './harness.js';
import { frame, InProcessPipeline, SYN, ACK, FIN, PSH } from './harness.js';
import { makePrng } from '../util/prng.js';

/** Segments reordered among themselves (at most this many are out of order at once). */
const SHUFFLE_WINDOW = 64;

export interface Damage {
  /** Segment sizes are drawn from [1, maxSegment]. */
  maxSegment: number;
  shuffle: boolean;
  /** Per segment probabilities. */
  duplicate: number;
  overlap: number;
  loss: number;
  /** 32-bit random source for every choice (from fast-check, so a failure shrinks and replays). */
  seed: number;
}

export const damageArb = (loss: boolean): fc.Arbitrary<Damage> => fc.record({
  maxSegment: fc.constantFrom(7, 100, 536, 1460),
  shuffle: fc.boolean(),
  duplicate: fc.constantFrom(0, 0.05, 0.3),
  overlap: fc.constantFrom(0, 0.05, 0.3),
  loss: loss ? fc.constantFrom(0.01, 0.05, 0.2) : fc.constant(0),
  seed: fc.integer(),
});


export interface BuiltFrame { data: Buffer; tsSec: number; tsNsec: number }

/** Frames of the whole connection, 1 ms of packet time apart, from tsSec0. */
export function buildFrames(ep: Endpoints, chunks: Chunk[], d: Damage, tsSec0 = 1_700_000_000): { frames: BuiltFrame[]; lostBytes: number } {
  const rand = makePrng(d.seed);
  const isn = [Math.floor(rand() * 2 ** 32), Math.floor(rand() * 2 ** 32)];
  const sent = [0, 0]; // bytes of each direction handed out so far
  const frames: BuiltFrame[] = [];
  const later: Buffer[] = []; // re-sends waiting to be mixed into later flights
  let t = 0;
  let lostBytes = 0;
  const push = (b: Buffer): void => {
    frames.push({ data: b, tsSec: tsSec0 + Math.floor(t / 1000), tsNsec: (t % 1000) * 1_000_000 });
    t++;
  };
  const seqOf = (dir: 0 | 1, off: number): number => (isn[dir] + 1 + off) >>> 0;
  const ackFor = (dir: 0 | 1): number => seqOf(dir === 0 ? 1 : 0, sent[dir === 0 ? 1 : 0]);

  push(frame(ep, 0, isn[0], 0, SYN));
  push(frame(ep, 1, isn[1], isn[0] + 1, SYN | ACK));
  push(frame(ep, 0, isn[0] + 1, isn[1] + 1, ACK));
  for (const ch of chunks) {
    const dir = ch.dir;
    const base = sent[dir];
    // a segment (null when lost) and the re-sends that follow it later (never before it)
    const flight: Array<{ seg: Buffer | null; resends: Buffer[] }> = [];
    for (let off = 0; off < ch.data.length;) {
      const len = Math.min(ch.data.length - off, 1 + Math.floor(rand() * d.maxSegment));
      const abs = base + off;
      const seg = frame(ep, dir, seqOf(dir, abs), ackFor(dir), ACK | PSH, ch.data.subarray(off, off + len));
      const resends: Buffer[] = [];
      if (rand() < d.duplicate) resends.push(seg);
      if (rand() < d.overlap) {
        // a re-send covering the tail of the previous segment and the head of this one (same bytes)
        const from = Math.max(0, off - Math.floor(rand() * 50));
        const to = Math.min(ch.data.length, off + len + Math.floor(rand() * 50));
        resends.push(frame(ep, dir, seqOf(dir, base + from), ackFor(dir), ACK, ch.data.subarray(from, to)));
      }
      const lost = rand() < d.loss;
      if (lost) lostBytes += len;
      // a lost segment is never sent again (its re-sends would fill the hole)
      flight.push({ seg: lost ? null : seg, resends: lost ? [] : resends });
      off += len;
    }
    sent[dir] += ch.data.length;
    if (d.shuffle) {
      // reorder inside windows of SHUFFLE_WINDOW segments (a send window), not across a whole 30 KB flight
      // cut into 7-byte segments, which would only measure the per-connection segment cap
      for (let w = 0; w < flight.length; w += SHUFFLE_WINDOW) {
        const end = Math.min(flight.length, w + SHUFFLE_WINDOW);
        for (let i = end - 1; i > w; i--) {
          const j = w + Math.floor(rand() * (i - w + 1));
          [flight[i], flight[j]] = [flight[j], flight[i]];
        }
      }
    }
    for (const f of flight) {
      if (f.seg) push(f.seg);
      later.push(...f.resends);
      if (later.length > 0 && rand() < 0.2) push(later.shift()!);
    }
    // the other side acknowledges the flight
    push(frame(ep, dir === 0 ? 1 : 0, seqOf(dir === 0 ? 1 : 0, sent[dir === 0 ? 1 : 0]), seqOf(dir, sent[dir]), ACK));
  }
  for (const f of later) push(f);
  push(frame(ep, 0, seqOf(0, sent[0]), seqOf(1, sent[1]), FIN | ACK));
  push(frame(ep, 1, seqOf(1, sent[1]), seqOf(0, sent[0]) + 1, FIN | ACK));
  push(frame(ep, 0, seqOf(0, sent[0]) + 1, seqOf(1, sent[1]) + 1, ACK));
  return { frames, lostBytes };
}

/** One connection's chunks, damaged as `d` says, through the in-process pipeline (finished). */
export function runConnection(chunks: Chunk[], clientPort: number, serverPort: number, d: Damage): { p: InProcessPipeline; lostBytes: number } {
  const ep: Endpoints = { clientIp: '10.1.0.2', serverIp: '10.1.0.1', clientPort, serverPort };
  const { frames, lostBytes } = buildFrames(ep, chunks, d);
  const p = new InProcessPipeline();
  frames.forEach((f, i) => {
    p.feed(1, f.data, f.tsSec, f.tsNsec);
    if (i % 8 === 7) p.tick();
  });
  p.finish();
  return { p, lostBytes };
}
