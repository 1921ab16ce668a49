// The work of decoding compressed gRPC messages is bounded per direction of a stream, as an HTTP/1 body's
// decoding stops at `maxDecodedBytes` (docs/http2.md, "Caps and counters"): the output of every decode pass
// counts (`http2.grpc_decoded_bytes`, `http2.grpc_decode_passes`); once it reaches `maxDecodedBytes` the later
// messages are kept as sent (`http2.grpc_decode_cap`). A large message is not decoded a second time into a
// body that keeps no more bytes. Bounds are asserted on counts, never on time.
import t from 'tap';
import { gzipSync } from 'node:zlib';
import { PREFACE, dataFrames, headers, grpcMessages } from './h2-capture.js';
import { H2Pipeline, GZIP_GRPC_REQUEST as REQUEST } from './h2-factory.js';
import type { HttpOptions } from '../../src/http/options.js';


/** One call whose request carries `msgs` (each in its own DATA frames of at most 16 KiB), answered OK. */
function call(msgs: Array<[number, Buffer]>, opts: Partial<HttpOptions>): H2Pipeline {
  const p = new H2Pipeline(opts).send(0, Buffer.concat([PREFACE, headers(1, REQUEST)]));
  for (const f of dataFrames(1, grpcMessages(msgs), true)) p.send(0, f);
  p.send(1, Buffer.concat([headers(1, [[':status', '200'], ['content-type', 'application/grpc']]), headers(1, [['grpc-status', '0']], true)]));
  return p.close();
}

/** Splits a gRPC body into [flag, message] pairs. */
function messagesOf(body: Buffer): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  for (let off = 0; off + 5 <= body.length;) {
    const n = body.readUInt32BE(off + 1);
    out.push([body[off]!, body.subarray(off + 5, off + 5 + n)]);
    off += 5 + n;
  }
  return out;
}

/** Output at which the one-call decode of a small compressed message stops (64 KiB, docs/http2.md). */
const KEEP = 64 * 1024;

t.test('decoding stops for the rest of the direction once its output reaches maxDecodedBytes', async (t) => {
  const PLAIN = Buffer.alloc(300_000); // zeros: about 300 compressed bytes each
  const Z = gzipSync(PLAIN);
  const SENT = 20;
  const MAX = 1_000_000;
  // Each message decodes to more than KEEP: the one-call decode stops at KEEP, a first pass counts PLAIN, a
  // second writes PLAIN into the body (which keeps it all): COST of work, 3 passes. A message starts decoding
  // while the work is below MAX, so ceil(MAX / COST) are decoded, provided the last one fits what is left.
  const COST = KEEP + 2 * PLAIN.length;
  const DECODED = Math.ceil(MAX / COST);
  t.ok(DECODED < SENT && PLAIN.length <= MAX - (DECODED - 1) * COST, `(parameters) ${DECODED} messages decoded`);
  const p = call(Array.from({ length: SENT }, () => [1, Z] as [number, Buffer]), { maxDecodedBytes: MAX });
  const got = messagesOf(p.exchanges[0]!.request.body.bytes ?? Buffer.alloc(0));
  t.equal(got.length, SENT, 'every message in the body');
  t.same(got.slice(0, DECODED).map(([f, m]) => f === 0 && m.equals(PLAIN)), Array(DECODED).fill(true), 'the first ones decoded');
  t.same(got.slice(DECODED).map(([f, m]) => f === 1 && m.equals(Z)), Array(SENT - DECODED).fill(true), 'the rest as sent');
  t.equal(p.count('http2.grpc_decode_cap'), SENT - DECODED, 'http2.grpc_decode_cap counts the messages as sent');
  t.equal(p.count('http2.grpc_undecoded'), SENT - DECODED, 'http2.grpc_undecoded counts them');
  t.equal(p.count('http2.grpc_decoded_bytes'), DECODED * COST, 'decode work: the output of every call and pass');
  t.equal(p.count('http2.grpc_decode_passes'), 3 * DECODED, 'decode passes');
  t.ok(p.exchanges[0]!.flags.includes('decode_error'), 'decode_error');
  t.equal(p.held, 0, 'budget released');
});

t.test('with at most 64 KiB of decoding left, a message that passes it takes one call only', async (t) => {
  const PLAIN = Buffer.alloc(300_000);
  const Z = gzipSync(PLAIN);
  const MAX = 50_000; // below KEEP: the one-call decode's cap is MAX itself
  const p = call([[1, Z], [1, Z], [1, Z]], { maxDecodedBytes: MAX });
  t.same(messagesOf(p.exchanges[0]!.request.body.bytes ?? Buffer.alloc(0)), [[1, Z], [1, Z], [1, Z]], 'all as sent');
  t.equal(p.count('http2.grpc_decode_passes'), 1, 'one call, for the first message');
  t.equal(p.count('http2.grpc_decoded_bytes'), MAX, 'its output stopped at maxDecodedBytes');
  t.equal(p.count('http2.grpc_decode_cap'), 3, 'http2.grpc_decode_cap: the first above what was left, the others after');
  t.equal(p.count('http2.grpc_undecoded'), 3, 'http2.grpc_undecoded');
  t.equal(p.held, 0, 'budget released');
});

t.test('small compressed messages take one decode pass each', async (t) => {
  const msgs = Array.from({ length: 50 }, (_, i) => [1, gzipSync(Buffer.from(`message ${i} `.repeat(20)))] as [number, Buffer]);
  const p = call(msgs, {});
  t.equal(p.count('http2.grpc_decode_passes'), msgs.length, 'one pass per message');
  const want = grpcMessages(msgs.map((_, i) => [0, Buffer.from(`message ${i} `.repeat(20))]));
  t.same(p.exchanges[0]!.request.body.bytes, want, 'each decoded in place');
  t.equal(p.count('http2.grpc_decoded_bytes'), want.length - 5 * msgs.length, 'output counted once');
});

t.test('a large message is not decoded again into a body that keeps no more bytes', async (t) => {
  const FILL = Buffer.alloc(60_000, 0x61); // uncompressed, fills the 50 000-byte capture
  const PLAIN = Buffer.alloc(300_000);
  const p = call([[0, FILL], [1, gzipSync(PLAIN)]], { maxHttpLength: 50_000 });
  const body = p.exchanges[0]!.request.body;
  t.equal(body.length, 5 + FILL.length + 5 + PLAIN.length, 'length counts the decoded stream');
  t.ok(body.truncated, 'truncated at --max-http-length');
  t.same(body.bytes, grpcMessages([[0, FILL]]).subarray(0, 50_000), 'what was kept');
  const work = p.count('http2.grpc_decoded_bytes');
  t.ok(work < 2 * PLAIN.length, `one full pass only: ${work} bytes of output for a ${PLAIN.length}-byte message`);
});
