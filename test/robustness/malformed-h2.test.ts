/**
 * Malformed and hostile HTTP/2 through the full pipeline (frames -> decode -> reassembly -> http), the HTTP/2
 * counterpart of malformed-http.test.ts: a frame length that lies, a CONTINUATION flood, bad HPACK (index 0,
 * integer overflow, bad Huffman, a table size update beyond the cap, unknown dynamic entries), more open
 * streams than the cap, bad padding, a CONTINUATION out of place, a header block larger than the cap, bit
 * flips and truncation of a valid stream, random bytes spliced in. Each follows a valid stream on the same
 * connection, beside a clean HTTP/2 connection, with random segmentation.
 * Property: no throw, invariants hold, the valid stream and the clean connection are reported exactly, and
 * the malformation is counted (an `http2.*` counter) or flags what it damaged (cases marked `counted`).
 */
import t from 'tap';
import fc from 'fast-check';
import { InProcessPipeline, checkProperty, FailureLog, SEED, type Chunk, type Endpoints } from './harness.js';
import { buildFrames, damageArb, type Damage } from './stream-builder.js';
import { renderH2Connection, type SynthConnection } from './h2-synth.js';
import {
  CONTINUATION, DATA, END_HEADERS, END_STREAM, EXAMPLE_GET_BLOCK as GET_BLOCK, HEADERS, PADDED, HpackEncoder, frame, headerFrames,
} from '../../bench/lib/h2-frames.mjs';

const hd = (sid: number, block: Buffer, flags = END_HEADERS | END_STREAM): Buffer => frame(HEADERS, flags, sid, block);

/** Client bytes after the valid stream 1 (stream ids from 3); `counted`: must be counted or flagged. */
const MALFORMED: Array<{ name: string; client: Buffer; counted: boolean }> = [
  { name: 'frame length beyond any cap', client: frame(HEADERS, END_HEADERS, 3, GET_BLOCK, 0xffffff), counted: true },
  { name: 'frame length short of its payload', client: Buffer.concat([frame(HEADERS, END_HEADERS, 3, GET_BLOCK, 5), GET_BLOCK]), counted: false },
  { name: 'CONTINUATION flood', client: Buffer.concat([frame(HEADERS, 0, 3, GET_BLOCK.subarray(0, 2)), ...Array.from({ length: 2000 }, () => frame(CONTINUATION, 0, 3, Buffer.from([0x84])))]), counted: true },
  { name: 'HPACK index 0', client: hd(3, Buffer.from([0x80])), counted: true },
  { name: 'HPACK integer overflow', client: hd(3, Buffer.from('82ffffffffffffff', 'hex')), counted: true },
  { name: 'HPACK bad Huffman', client: hd(3, Buffer.from('8284418400000000', 'hex')), counted: true },
  { name: 'HPACK size update beyond the cap', client: hd(3, Buffer.from('3fe1ff3f82', 'hex')), counted: true },
  { name: 'HPACK unknown dynamic index', client: hd(3, Buffer.concat([GET_BLOCK, Buffer.from([0xff, 0x40])])), counted: true },
  { name: '300 open streams', client: Buffer.concat(Array.from({ length: 300 }, (_, i) => hd(2 * i + 3, GET_BLOCK, END_HEADERS))), counted: true },
  { name: 'DATA padding longer than the frame', client: Buffer.concat([hd(3, GET_BLOCK, END_HEADERS), frame(DATA, PADDED | END_STREAM, 3, Buffer.from([200, 1, 2]))]), counted: true },
  { name: 'CONTINUATION without HEADERS', client: frame(CONTINUATION, END_HEADERS, 3, GET_BLOCK), counted: true },
  { name: 'header block over the cap', client: headerFrames(3, Buffer.alloc(80_000, 0x82), { endStream: true, maxFragment: 16_000 }), counted: true },
  { name: 'HEADERS on stream 0', client: hd(0, GET_BLOCK), counted: true },
  { name: 'random frames', client: Buffer.concat(fc.sample(fc.uint8Array({ minLength: 9, maxLength: 120 }), { seed: 11, numRuns: 30 }).map((a) => Buffer.from(a))), counted: false },
];

/** The clean connection beside the damaged one: dynamic table, Huffman, CONTINUATION, gRPC. */
const CLEAN: SynthConnection = {
  concurrency: 2, huffman: true, index: true, tableSize: 512, maxFragment: 40, maxData: 1000,
  streams: [
    { method: 'GET', path: '/clean/1', requestBody: 0, status: 200, responseBody: 3000, grpc: false, trailers: true, reset: false, extra: 4 },
    { method: 'POST', path: '/clean/2', requestBody: 500, status: 201, responseBody: 20, grpc: false, trailers: false, reset: false, extra: 9 },
    { method: 'POST', path: '/', requestBody: 40, status: 200, responseBody: 90, grpc: true, trailers: false, reset: false, extra: 1 },
  ],
};

const caseArb = fc.record({
  which: fc.nat({ max: MALFORMED.length - 1 }),
  splice: fc.option(fc.record({ at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }), { nil: undefined }),
  flips: fc.array(fc.record({ at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }), { maxLength: 3 }),
  truncate: fc.option(fc.nat(), { nil: undefined }),
  damage: damageArb(false),
});

interface Mutation {
  which: number;
  splice?: { at: number; bytes: Uint8Array };
  flips: Array<{ at: number; bit: number }>;
  truncate?: number;
  damage: Damage;
}

const clean = renderH2Connection(CLEAN);

/** Runs one case; returns why it failed ('' when it holds). */
function runCase(c: Mutation): string {
  const m = MALFORMED[c.which];
  let bad = Buffer.from(m.client);
  for (const f of c.flips) bad[f.at % bad.length] ^= 1 << f.bit;
  if (c.splice) {
    const at = c.splice.at % (bad.length + 1);
    bad = Buffer.concat([bad.subarray(0, at), Buffer.from(c.splice.bytes), bad.subarray(at)]);
  }
  if (c.truncate !== undefined) bad = bad.subarray(0, c.truncate % (bad.length + 1));
  const enc = [new HpackEncoder(), new HpackEncoder()];
  const chunks: Chunk[] = [
    { dir: 0, data: Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), hd(1, enc[0].encode([[':method', 'GET'], [':scheme', 'http'], [':authority', 'a'], [':path', '/before']]))]) },
    { dir: 1, data: Buffer.concat([hd(1, enc[1].encode([[':status', '200']]), END_HEADERS), frame(DATA, END_STREAM, 1, Buffer.from('hello'))]) },
    { dir: 0, data: bad },
  ].filter((ch) => ch.data.length > 0) as Chunk[];
  const ep: Endpoints = { clientIp: '10.3.0.2', serverIp: '10.3.0.1', clientPort: 44000, serverPort: 8080 };
  const p = new InProcessPipeline();
  const damaged = buildFrames(ep, chunks, c.damage).frames;
  const beside = buildFrames({ ...ep, clientPort: 44001 }, clean.chunks, { ...c.damage, seed: c.damage.seed + 1 }).frames;
  for (let i = 0; i < Math.max(damaged.length, beside.length); i++) {
    if (i < damaged.length) p.feed(1, damaged[i].data, damaged[i].tsSec, damaged[i].tsNsec);
    if (i < beside.length) p.feed(1, beside[i].data, beside[i].tsSec, beside[i].tsNsec);
  }
  p.finish();
  const broken = p.invariants();
  if (broken.length) return `${m.name}: ${broken.join('; ')}`;
  const first = p.exchanges.find((e) => e.streamId === 1 && e.request.target === '/before');
  if (!first || first.response?.status !== 200 || first.response.body.length !== 5 || first.flags.length) {
    return `${m.name}: the valid stream before it was not reported exactly: ${JSON.stringify(first && { s: first.response?.status, f: first.flags })}`;
  }
  const other = p.exchanges.filter((e) => e.request.host === 'api.test').sort((a, b) => (a.streamId ?? 0) - (b.streamId ?? 0)).map((e) => [e.streamId, e.request.target, e.response?.status, e.request.body.length, e.response?.body.length, e.flags.join(',')]);
  const want = clean.truth.map((e) => [e.streamId, e.target, e.status, e.req, e.res, '']);
  if (JSON.stringify(other) !== JSON.stringify(want)) return `${m.name}: the clean connection beside it: got ${JSON.stringify(other)} want ${JSON.stringify(want)}`;
  // the clean connection's own counters (its GOAWAY) are not the malformation's: counted beyond what it alone gives
  const alone = new InProcessPipeline();
  for (const f of beside) alone.feed(1, f.data, f.tsSec, f.tsNsec);
  alone.finish();
  const counted = Object.entries(p.counters.snapshot())
    .filter(([k, v]) => k.startsWith('http2.') && !/^http2\.(connections|streams)$/.test(k) && v > alone.counters.get(k));
  const flagged = p.exchanges.some((e) => e.streamId !== 1 && e.flags.some((f) => f === 'header_error' || f === 'interrupted' || f === 'no_response'));
  const untouched = c.splice === undefined && c.flips.length === 0 && c.truncate === undefined;
  if (m.counted && untouched && counted.length === 0 && !flagged) return `${m.name}: neither counted nor flagged`;
  return '';
}

t.test('each malformation as built, on one segmentation: counted or flagged', async (t) => {
  const damage: Damage = { maxSegment: 1460, shuffle: false, duplicate: 0, overlap: 0, loss: 0, seed: 1 };
  for (let which = 0; which < MALFORMED.length; which++) {
    t.equal(runCase({ which, flips: [], damage }), '', MALFORMED[which].name);
  }
});

t.test(`malformed HTTP/2: counted or flagged, never a crash; the rest reported exactly (seed ${SEED})`, async (t) => {
  const log = new FailureLog();
  const seen = new Set<string>();
  const failure = checkProperty(fc.property(caseArb, (c) => {
    const why = runCase(c);
    if (why !== '') return log.fail(why);
    seen.add(MALFORMED[c.which].name);
    return true;
  }), 300, log);
  t.equal(failure, '', 'malformed HTTP/2 is counted or flagged, the valid stream and the clean connection kept');
  t.ok(seen.size >= MALFORMED.length - 2, `${seen.size} of ${MALFORMED.length} malformations exercised`);
});
