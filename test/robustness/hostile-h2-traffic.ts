/**
 * The HTTP/2 part of the hostile capture (hostile-capture.ts): a normal h2c connection whose streams must be
 * reported exactly, hostile h2c connections cycling through five kinds, and their truth:
 *  0 a CONTINUATION flood (a header block that never ends, 1500 frames),
 *  1 1000 streams opened and never answered (the per-connection stream cap),
 *  2 HPACK table abuse (a size update to 1 MiB, then 200 literals of 1 KiB inserted),
 *  3 frame lengths that lie (16 MiB, then random lengths over random bytes),
 *  4 a connection seen from inside a DATA frame (no SYN, no preface): the streams after the next frame start
 *    must be reported with their method, path and status (docs/http2.md "Detection").
 */
import type { Chunk } from './harness.js';
import { renderH2Connection, type H2Truth, type SynthConnection, type SynthStream } from './h2-synth.js';
import { makePrng } from '../util/prng.js';
import {
  CONTINUATION, END_HEADERS, EXAMPLE_GET_BLOCK as GET_BLOCK, HEADERS, HpackEncoder, PREFACE, frame, settings,
} from '../../bench/lib/h2-frames.mjs';


const stream = (path: string, responseBody: number, grpc = false): SynthStream => ({
  method: 'GET', path, requestBody: 0, status: 200, responseBody, grpc, trailers: false, reset: false, extra: 3,
});

/** The normal h2c connection (dynamic table, Huffman, CONTINUATION, gRPC): every stream reported exactly. */
export const NORMAL_H2: SynthConnection = {
  concurrency: 2, huffman: true, index: true, tableSize: 4096, maxFragment: 50, maxData: 4000,
  streams: [stream('/h2/1', 20_000), { ...stream('/h2/2', 300), method: 'POST', requestBody: 5000, status: 201 }, stream('/h2/3', 0, true), stream('/h2/4', 70_000)],
};

export type HostileH2Kind = 0 | 1 | 2 | 3 | 4;
export const HOSTILE_H2_KINDS = 5;

/** A connection seen from inside a DATA frame: its wire (without handshake) and the streams to report. */
export interface JoinedConnection { client: Buffer[]; server: Buffer[]; truth: H2Truth[] }

const JOIN: SynthConnection = {
  concurrency: 1, huffman: true, index: true, tableSize: 4096, maxFragment: 16384, maxData: 16384,
  streams: [stream('/join/big', 60_000), stream('/join/after/1', 100), stream('/join/after/2', 5000), stream('/join/after/3', 10)],
};

/**
 * The flights of a joined connection from byte `skip` of the first response's flight (inside its first DATA
 * frame), alternating client / server from there.
 */
export function joinedConnection(skip: number): JoinedConnection {
  const { chunks, truth } = renderH2Connection(JOIN);
  const firstResponse = chunks.findIndex((c, i) => i >= 2 && c.dir === 1);
  const from = chunks.slice(firstResponse);
  from[0] = { dir: 1, data: from[0].data.subarray(skip) };
  return {
    client: from.filter((c) => c.dir === 0).map((c) => c.data),
    server: from.filter((c) => c.dir === 1).map((c) => c.data),
    truth: truth.filter((e) => e.target.startsWith('/join/after/')),
  };
}

/** Flights of one hostile connection of `kind` (with its handshake written by the caller). */
export function hostileH2(kind: HostileH2Kind, seed: number): Chunk[] {
  const open = Buffer.concat([PREFACE, settings([])]);
  switch (kind) {
    case 0:
      return [{ dir: 0, data: Buffer.concat([open, frame(HEADERS, 0, 1, GET_BLOCK),
        ...Array.from({ length: 1500 }, () => frame(CONTINUATION, 0, 1, Buffer.alloc(50, 0x82)))]) }];
    case 1:
      return [{ dir: 0, data: Buffer.concat([open, ...Array.from({ length: 1000 }, (_, i) => frame(HEADERS, END_HEADERS, 2 * i + 1, GET_BLOCK))]) }];
    case 2: {
      const enc = new HpackEncoder({ huffman: false });
      enc.sizeUpdate(1 << 20);
      const blocks = Array.from({ length: 200 }, (_, i) => frame(HEADERS, END_HEADERS | 1, 2 * i + 1,
        enc.encode([[':method', 'GET'], [':path', `/t/${i}`], [`x-big-${i}`, String(i).repeat(1024).slice(0, 1024)]])));
      return [{ dir: 0, data: Buffer.concat([open, ...blocks]) }];
    }
    case 3: {
      const rand = makePrng(seed);
      const junk = Array.from({ length: 60 }, () => {
        const payload = Buffer.from(Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256)));
        return frame(Math.floor(rand() * 12), Math.floor(rand() * 256), Math.floor(rand() * 9), payload, Math.floor(rand() * 0x1000000));
      });
      return [{ dir: 0, data: Buffer.concat([open, frame(HEADERS, END_HEADERS, 1, GET_BLOCK, 0xffffff), ...junk]) }];
    }
    default:
      return [];
  }
}
