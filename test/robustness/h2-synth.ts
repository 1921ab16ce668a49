/**
 * Synthetic HTTP/2 cleartext connections for the robustness runs, each rendered from its own description
 * so the truth (stream id, method, path, status, body lengths, flags) is known without asking the sensor.
 * The wire is what real peers send: the preface, SETTINGS and their ACKs, header blocks from a stateful
 * HPACK encoder per direction (dynamic table with a size update, Huffman strings), blocks split into
 * HEADERS + CONTINUATION, bodies in DATA frames of a chosen size, several streams in flight with their
 * frames interleaved, WINDOW_UPDATE and PING between flights, gRPC with trailers, a client RST_STREAM
 * after the first DATA frame of a response, GOAWAY at the end; gRPC messages compressed (gzip, deflate) with
 * `grpc-encoding`, and a server RST_STREAM followed by a compressed request message half sent (frames in
 * flight before the client saw the reset). Frames: bench/lib/h2-frames.mjs.
 */
import fc from 'fast-check';
import { deflateSync, gzipSync } from 'node:zlib';
import type { Chunk } from './harness.js';
import {
  HpackEncoder, PREFACE, dataFrames, goaway, grpcMessages, headerFrames, ping, rstStream,
  settings, windowUpdate,
} from '../../bench/lib/h2-frames.mjs';

export interface SynthStream {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  requestBody: number;
  status: number;
  responseBody: number;
  grpc: boolean;
  trailers: boolean;
  /** The client resets the stream after the first DATA frame of the response (response body kept so far). */
  reset: boolean;
  /** Extra header fields (larger blocks, more table churn). */
  extra: number;
  /** gRPC only: every message compressed (flag 1) with this `grpc-encoding`, both directions. */
  compressed?: 'gzip' | 'deflate' | null;
  /**
   * gRPC, compressed, only: the server resets the stream (no response) after the request's first message;
   * the client's second message, half sent, comes after the reset, in its next flight.
   */
  lateData?: boolean;
}

export interface SynthConnection {
  streams: SynthStream[];
  /** Streams opened per client flight (their responses interleave frame by frame). */
  concurrency: number;
  huffman: boolean;
  index: boolean;
  /** Dynamic table size announced by each encoder in its first block (small: many evictions). */
  tableSize: number;
  /** Largest header block fragment per frame (small: CONTINUATION frames). */
  maxFragment: number;
  /** Largest DATA frame payload. */
  maxData: number;
}

/** What the sensor must report for one stream. */
export interface H2Truth {
  streamId: number; method: string; target: string; status: number | null; req: number; res: number;
  flags: string[]; grpcStatus: number | null;
}

export const synthStreamArb: fc.Arbitrary<SynthStream> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE') as fc.Arbitrary<SynthStream['method']>,
  path: fc.stringMatching(/^\/[a-z0-9]{0,10}(\?[a-z]=[0-9]{1,4})?$/),
  requestBody: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 2000, max: 40_000 })),
  status: fc.constantFrom(200, 200, 201, 204, 404, 500),
  responseBody: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 600 }), fc.integer({ min: 3000, max: 60_000 })),
  grpc: fc.boolean(),
  trailers: fc.boolean(),
  reset: fc.boolean(),
  extra: fc.integer({ min: 0, max: 12 }),
  compressed: fc.constantFrom(null, 'gzip', 'deflate') as fc.Arbitrary<SynthStream['compressed']>,
  lateData: fc.boolean(),
});

export const synthConnectionArb: fc.Arbitrary<SynthConnection> = fc.record({
  streams: fc.array(synthStreamArb, { minLength: 1, maxLength: 8 }),
  concurrency: fc.integer({ min: 1, max: 4 }),
  huffman: fc.boolean(),
  index: fc.boolean(),
  tableSize: fc.constantFrom(4096, 512, 120),
  maxFragment: fc.constantFrom(16384, 40, 7),
  maxData: fc.constantFrom(16384, 1000, 97),
});

function body(len: number, tag: number): Buffer {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = 0x61 + ((i * 7 + tag) % 26);
  return b;
}

/** gRPC messages on the wire: compressed (flag 1) when `coding` is set. */
function wire(plains: Buffer[], coding: SynthStream['compressed']): Buffer {
  if (!coding) return grpcMessages(plains);
  return grpcMessages(plains.map((m) => [1, coding === 'gzip' ? gzipSync(m) : deflateSync(m)]));
}

/**
 * What the sensor reports of the first `sent` bytes of `wireBody` (messages `plains`): each complete message
 * decoded, a compressed message cut after its prefix as sent (`decode_error`), a cut prefix as sent.
 */
function reported(wireBody: Buffer, sent: number, plains: Buffer[], coding: SynthStream['compressed']): { length: number; undecoded: boolean } {
  let length = 0;
  let off = 0;
  for (const plain of plains) {
    const span = 5 + wireBody.readUInt32BE(off + 1);
    const covered = Math.min(span, sent - off);
    if (covered <= 0) break;
    if (covered === span) length += 5 + plain.length;
    else return { length: length + covered, undecoded: !!coding && covered >= 5 };
    off += span;
  }
  return { length, undecoded: false };
}

/** The stream's wire pieces and its truth. */
function renderStream(s: SynthStream, sid: number, i: number, c: SynthConnection, enc: [HpackEncoder, HpackEncoder]) {
  const bodyOk = s.method === 'POST' || s.method === 'PUT' || s.grpc;
  const method = s.grpc ? 'POST' : s.method;
  const coding = s.grpc ? s.compressed ?? null : null;
  const reqPlain = [body(s.requestBody % 300, i)];
  const reqBody = s.grpc ? wire(reqPlain, coding) : bodyOk ? body(s.requestBody, i) : Buffer.alloc(0);
  const late = coding !== null && s.lateData === true;
  const status = s.grpc ? 200 : s.status;
  const noBody = status === 204;
  const resPlain = [body(s.responseBody % 500, i + 1), body(7, i)];
  const resBody = noBody ? Buffer.alloc(0) : s.grpc ? wire(resPlain, coding) : body(s.responseBody, i + 50);
  const extra = (n: number): Array<[string, string]> => Array.from({ length: n }, (_, k) => [`x-h${k}`, `v${(i + k) % 5}`.repeat(1 + k)]);
  const reqFields: Array<[string, string]> = [[':method', method], [':scheme', 'http'], [':authority', 'api.test'],
    [':path', s.grpc ? `/synth.v1.Svc/M${i % 3}` : s.path], ['user-agent', 'synth-h2/1.0'], ['x-request-id', `r${i}`], ...extra(s.extra)];
  if (s.grpc) reqFields.push(['content-type', 'application/grpc'], ['te', 'trailers']);
  if (coding !== null) reqFields.push(['grpc-encoding', coding]);
  else if (reqBody.length > 0) reqFields.push(['content-type', 'application/octet-stream']);
  const resFields: Array<[string, string]> = [[':status', String(status)], ['server', 'synth'],
    ['content-type', s.grpc ? 'application/grpc' : 'application/json'], ...extra(s.extra >> 1)];
  if (coding !== null) resFields.push(['grpc-encoding', coding]);
  const trailers = s.grpc || (s.trailers && !noBody);
  const req = [headerFrames(sid, enc[0].encode(reqFields), { endStream: reqBody.length === 0, maxFragment: c.maxFragment })];
  if (late) { // a second message follows the first; the server resets while it is in flight
    const full = wire([...reqPlain, body(40 + (s.requestBody % 200), i + 3)], coding);
    const first = reqBody.length;
    req.push(...dataFrames(sid, full.subarray(0, first), false, c.maxData));
    const truth: H2Truth = {
      streamId: sid, method, target: reqFields[3][1], status: null, req: reported(full, first, reqPlain, coding).length, res: 0,
      flags: ['no_response', 'reset'], grpcStatus: null,
    };
    // what the client had sent before it saw the reset: the second message's prefix and half of it
    const rest = Buffer.concat(dataFrames(sid, full.subarray(first, first + 5 + ((full.length - first - 5) >> 1)), false, c.maxData));
    return { req: Buffer.concat(req), res: [() => rstStream(sid, 8)], reset: false, late: rest, truth };
  }
  if (reqBody.length > 0) req.push(...dataFrames(sid, reqBody, true, c.maxData));
  // the response as a list of frames, so that streams in flight interleave frame by frame; header blocks are
  // encoded when their turn on the wire comes (the HPACK table follows the order sent)
  const res: Array<() => Buffer> = [() => headerFrames(sid, enc[1].encode(resFields), { endStream: resBody.length === 0 && !trailers, maxFragment: c.maxFragment })];
  const resData = resBody.length > 0 ? dataFrames(sid, resBody, !trailers, c.maxData) : [];
  const reset = s.reset && resData.length > 1;
  if (reset) res.push(() => resData[0]);
  else {
    res.push(...resData.map((d) => () => d));
    if (trailers) res.push(() => headerFrames(sid, enc[1].encode(s.grpc ? [['grpc-status', '0'], ['grpc-message', '']] : [['x-checksum', `c${i}`]]), { endStream: true, maxFragment: c.maxFragment }));
  }
  const sentRes = s.grpc ? reported(resBody, reset ? resData[0].length - 9 : resBody.length, resPlain, coding)
    : { length: reset ? resData[0].length - 9 : resBody.length, undecoded: false };
  const truth: H2Truth = {
    streamId: sid, method, target: reqFields[3][1], status, req: s.grpc ? reported(reqBody, reqBody.length, reqPlain, coding).length : reqBody.length,
    res: noBody ? 0 : sentRes.length, flags: [...(sentRes.undecoded ? ['decode_error'] : []), ...(reset ? ['reset'] : [])], grpcStatus: s.grpc && !reset ? 0 : null,
  };
  return { req: Buffer.concat(req), res, reset, late: null as Buffer | null, truth };
}

/** Wire chunks (one per flight) and the truth of one connection. */
export function renderH2Connection(c: SynthConnection): { chunks: Chunk[]; truth: H2Truth[] } {
  const enc: [HpackEncoder, HpackEncoder] = [
    new HpackEncoder({ huffman: c.huffman, index: c.index }), new HpackEncoder({ huffman: c.huffman, index: c.index }),
  ];
  enc[0].sizeUpdate(c.tableSize);
  enc[1].sizeUpdate(c.tableSize);
  const chunks: Chunk[] = [
    { dir: 1, data: settings([[3, 100], [4, 65535]]) },
    { dir: 0, data: Buffer.concat([PREFACE, settings([[2, 0]]), settings([], true)]) },
  ];
  const truth: H2Truth[] = [];
  let resets: Buffer[] = [];
  for (let at = 0; at < c.streams.length; at += c.concurrency) {
    const batch = c.streams.slice(at, at + c.concurrency).map((s, k) => renderStream(s, 2 * (at + k) + 1, at + k, c, enc));
    chunks.push({ dir: 0, data: Buffer.concat([...resets, ...batch.map((b) => b.req), windowUpdate(0, 1 << 20)]) });
    truth.push(...batch.map((b) => b.truth));
    const frames: Buffer[] = at === 0 ? [settings([], true)] : [ping(false)];
    for (let k = 0; batch.some((b) => k < b.res.length); k++) for (const b of batch) if (k < b.res.length) frames.push(b.res[k]());
    chunks.push({ dir: 1, data: Buffer.concat(frames) });
    // the client's frames of the next flight: its resets, and the request DATA that follows a server's reset
    resets = batch.flatMap((b) => [...(b.reset ? [rstStream(b.truth.streamId, 8)] : []), ...(b.late !== null ? [b.late] : [])]);
  }
  const last = 2 * c.streams.length - 1;
  if (resets.length > 0) chunks.push({ dir: 0, data: Buffer.concat(resets) });
  chunks.push({ dir: 1, data: goaway(last, 0) });
  return { chunks, truth };
}

