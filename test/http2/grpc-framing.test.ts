// gRPC messages whose framing the sensor cannot follow (docs/http2.md, "gRPC"): DATA of a side that has
// already ended (after the server's RST_STREAM, after the client's END_STREAM, on a pushed stream) is
// dropped and counted, never held; after a gap, and on a placeholder stream whose request comes after
// response DATA, the messages pass through as sent, unframed (`http2.grpc_desync`), instead of being read from
// the middle of a message. Driven in process (test/http2/h2-factory.ts) for the body budget.
import t from 'tap';
import { gzipSync } from 'node:zlib';
import { makePrng } from '../util/prng.js';
import { PREFACE, DATA, END_STREAM, END_HEADERS, frame, headers, hpack, grpcMessages } from './h2-capture.js';
import { PUSH_PROMISE, rstStream } from '../../bench/lib/h2-frames.mjs';
import { H2Pipeline, GZIP_GRPC_REQUEST as REQUEST } from './h2-factory.js';

const RESPONSE: Array<[string, string]> = [[':status', '200'], ['content-type', 'application/grpc'], ['grpc-encoding', 'gzip']];

function random(n: number, seed: number): Buffer {
  const rand = makePrng(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
}

/** 10 000 bytes of a compressed message of about 30 000 (prefix included): held if the sensor takes it. */
const PART = grpcMessages([[1, gzipSync(random(30_000, 1))]]).subarray(0, 10_000);

t.test('client DATA after the server reset the stream is dropped, counted, not held', async (t) => {
  const p = new H2Pipeline().send(0, Buffer.concat([PREFACE, headers(1, REQUEST)]));
  p.send(1, rstStream(1, 8));
  p.send(0, frame(DATA, 0, 1, PART));
  const heldBefore = p.held;
  p.close();
  t.equal(heldBefore, 0, 'nothing charged for the late DATA');
  t.equal(p.held, 0, 'budget released after the exchange is emitted');
  t.equal(p.count('http2.data_after_end'), PART.length, 'the late DATA bytes counted');
  const ex = p.exchanges[0]!;
  t.equal(ex.request.body.length, 0, 'not in the request body');
  t.ok(ex.flags.includes('reset'), 'reset');
});

t.test('client DATA after its own END_STREAM is dropped, counted, not held', async (t) => {
  const p = new H2Pipeline().send(0, Buffer.concat([PREFACE, headers(1, REQUEST, true)]));
  p.send(0, frame(DATA, 0, 1, PART));
  t.equal(p.held, 0, 'nothing charged');
  p.send(1, Buffer.concat([headers(1, RESPONSE), headers(1, [['grpc-status', '0']], true)]));
  t.equal(p.exchanges.length, 1, 'emitted when both sides ended');
  t.equal(p.held, 0, 'budget released');
  p.close();
  t.equal(p.count('http2.data_after_end'), PART.length, 'the late DATA bytes counted');
  t.equal(p.exchanges[0]!.request.body.length, 0, 'not in the request body');
});

t.test('client DATA after the stream ended on both sides and was emitted is dropped, counted', async (t) => {
  const p = new H2Pipeline().send(0, Buffer.concat([PREFACE, headers(1, REQUEST, true)]));
  p.send(1, Buffer.concat([headers(1, RESPONSE), headers(1, [['grpc-status', '0']], true)]));
  t.equal(p.exchanges.length, 1, 'emitted when both sides ended');
  p.send(0, frame(DATA, 0, 1, PART));
  p.send(0, frame(DATA, 0, 3, PART)); // stream 3 was never opened: not a stream that ended
  p.close();
  t.equal(p.held, 0, 'nothing held');
  t.equal(p.count('http2.data_after_end'), PART.length, 'the late DATA bytes of stream 1 counted');
  t.equal(p.exchanges.length, 1, 'no other exchange');
  t.equal(p.exchanges[0]!.request.body.length, 0, 'not in the request body');
});

t.test('late DATA for a reset stream pushed out of the linger list is dropped, counted', async (t) => {
  const RESETS = 17; // one more than the reset streams kept open (LINGER_STREAMS, docs/http2.md)
  const p = new H2Pipeline().send(0, PREFACE);
  for (let i = 0; i < RESETS; i++) {
    p.send(0, headers(2 * i + 1, REQUEST));
    p.send(1, rstStream(2 * i + 1, 8));
  }
  t.equal(p.exchanges.length, 1, 'the oldest reset stream emitted');
  p.send(0, frame(DATA, 0, 1, PART));
  p.close();
  t.equal(p.count('http2.data_after_end'), PART.length, 'its late DATA bytes counted');
  t.equal(p.exchanges.find((e) => e.streamId === 1)?.request.body.length, 0, 'not in its request body');
  t.equal(p.held, 0, 'nothing held');
});

t.test('client DATA on a pushed stream is dropped, counted, not held', async (t) => {
  const p = new H2Pipeline().send(0, Buffer.concat([PREFACE, headers(1, [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'svc']], true)]));
  const promised = Buffer.alloc(4);
  promised.writeUInt32BE(2);
  p.send(1, Buffer.concat([headers(1, [[':status', '200']]), frame(PUSH_PROMISE, END_HEADERS, 1, Buffer.concat([promised, hpack(REQUEST)]))]));
  p.send(0, frame(DATA, 0, 2, PART));
  t.equal(p.held, 0, 'nothing charged');
  p.close();
  t.equal(p.held, 0, 'budget released');
  t.equal(p.count('http2.data_after_end'), PART.length, 'the client DATA on the pushed stream counted');
  const pushed = p.exchanges.find((e) => e.streamId === 2);
  t.ok(pushed?.flags.includes('pushed'), 'the pushed stream is reported');
  t.equal(pushed?.request.body.length, 0, 'not in its request body');
});

t.test('a gap inside a response message: the messages after it pass through as sent, unframed', async (t) => {
  const z = [gzipSync(random(3000, 2)), gzipSync(random(2000, 3)), gzipSync(Buffer.from('third message, intact'))];
  const first = grpcMessages([[1, z[0]]]);
  const frame1 = frame(DATA, 0, 1, first);
  const cut = 9 + 1000; // the frame header and 1000 bytes of the first message arrive, then 30 bytes are lost
  const p = new H2Pipeline().send(0, Buffer.concat([PREFACE, headers(1, REQUEST), frame(DATA, END_STREAM, 1, grpcMessages([[1, gzipSync(Buffer.from('q'))]]))]));
  p.send(1, Buffer.concat([headers(1, RESPONSE), frame1.subarray(0, cut)]));
  p.gap(1, 30);
  p.send(1, frame1.subarray(cut + 30));
  const after = [frame(DATA, 0, 1, grpcMessages([[1, z[1]]])), frame(DATA, 0, 1, grpcMessages([[1, z[2]]]))];
  for (const f of after) p.send(1, f);
  p.send(1, headers(1, [['grpc-status', '0']], true));
  p.close();
  const ex = p.exchanges[0]!;
  const sentBeforeGap = first.subarray(0, cut - 9);
  const want = Buffer.concat([sentBeforeGap, grpcMessages([[1, z[1]], [1, z[2]]])]);
  t.same(ex.response?.body.bytes, want, 'what came before the gap as sent, then the later messages as sent');
  t.equal(p.count('http2.grpc_desync'), 1, 'http2.grpc_desync');
  t.equal(p.count('http2.grpc_undecoded'), 1, 'only the message cut by the gap is counted undecoded');
  t.ok((ex.grpc?.responseMessages ?? 0) <= 3, `no message invented (${ex.grpc?.responseMessages} counted of 3 sent)`);
  t.ok(ex.flags.includes('interrupted'), 'interrupted');
  t.equal(p.held, 0, 'budget released');
});

t.test('a placeholder whose request comes after response DATA: the response messages pass through unframed', async (t) => {
  const msgs = grpcMessages([[1, gzipSync(random(2000, 4))], [1, gzipSync(Buffer.from('second'))]]);
  const early = frame(DATA, 0, 1, msgs.subarray(0, 700)); // the server's segment was captured first
  const late = frame(DATA, 0, 1, msgs.subarray(700));
  const p = new H2Pipeline().send(0, PREFACE);
  p.send(1, Buffer.concat([headers(1, RESPONSE), early]));
  p.send(0, Buffer.concat([headers(1, REQUEST), frame(DATA, END_STREAM, 1, grpcMessages([[0, Buffer.from('req')]]))]));
  p.send(1, Buffer.concat([late, headers(1, [['grpc-status', '0']], true)]));
  p.close();
  const ex = p.exchanges[0]!;
  t.same(ex.response?.body.bytes, msgs, 'the response DATA as sent');
  t.equal(p.count('http2.grpc_desync'), 1, 'http2.grpc_desync');
  t.equal(p.count('http2.grpc_undecoded'), 0, 'no message read from the middle of one');
  t.equal(ex.grpc?.responseMessages, 0, 'response messages not counted (their boundaries are unknown)');
  t.equal(ex.grpc?.requestMessages, 1, 'the request message counted');
  t.equal(p.held, 0, 'budget released');
});
