// A compressed gRPC message held for decoding is charged to the HTTP stage's body budget (the one the body
// collectors share) while it is held, and given back when it is decoded, given up or the stream is cut
// (docs/http2.md, "Caps and counters"). Driven in process (h2-factory.ts), whose `held` is that budget; the
// budget size is an option the command line does not expose.
import t from 'tap';
import { gzipSync } from 'node:zlib';
import type { HttpOptions } from '../../src/http/options.js';
import type { Counters } from '../../src/util/counters.js';
import { makePrng } from '../util/prng.js';
import { PREFACE, dataFrames, headers, grpcMessages } from './h2-capture.js';
import { H2Pipeline, GZIP_GRPC_REQUEST as REQUEST } from './h2-factory.js';

const RESPONSE: Array<[string, string]> = [[':status', '200'], ['content-type', 'application/grpc']];

function random(n: number, seed: number): Buffer {
  const rand = makePrng(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
}

/** One gRPC call on one connection; `client` is the request's gRPC body, fed in pieces of 1400 bytes; `close`: the connection closes before the message ends. */
function drive(client: Buffer, opts: Partial<HttpOptions>, onPiece: (held: number, sent: number) => void, close = false) {
  const p = new H2Pipeline(opts).send(0, Buffer.concat([PREFACE, headers(1, REQUEST)]));
  const frames = Buffer.concat(dataFrames(1, client, !close));
  for (let off = 0; off < frames.length; off += 1400) {
    p.send(0, frames.subarray(off, off + 1400));
    onPiece(p.held, off + 1400);
  }
  if (!close) {
    p.send(1, Buffer.concat([headers(1, RESPONSE), ...dataFrames(1, grpcMessages([[0, Buffer.from('ok')]]), false),
      headers(1, [['grpc-status', '0']], true)]));
  }
  p.close();
  return { exchanges: p.exchanges, counters: p.counters, held: p.held };
}

const count = (c: Counters, name: string): number => c.get(name);

t.test('the held message is charged while it comes, and released once decoded', async (t) => {
  const plain = Buffer.concat([random(150_000, 1), Buffer.alloc(150_000, 0x61)]); // 300 000 bytes, above the kept-output size
  const z = gzipSync(plain);
  let maxHeld = 0;
  let bounded = true;
  const r = drive(grpcMessages([[1, z]]), {}, (held, sent) => {
    maxHeld = Math.max(maxHeld, held);
    if (sent < z.length && held > 2 * sent + 16384) bounded = false;
  });
  t.ok(maxHeld >= z.length, `the whole compressed message was charged (${maxHeld} >= ${z.length})`);
  t.ok(bounded, 'never more than twice what came, plus one block');
  t.equal(r.held, 0, 'nothing left in the budget after the exchange is emitted');
  const ex = r.exchanges[0]!;
  t.same(ex.request.body.bytes, grpcMessages([[0, plain]]), 'decoded in place (second pass)');
  t.same(ex.flags, [], 'no flag');
});

t.test('a message the budget cannot hold passes through as sent', async (t) => {
  const z = gzipSync(random(120_000, 2)); // does not compress: about 120 000 bytes
  const msg = grpcMessages([[1, z]]);
  const r = drive(msg, { maxBodyBufferTotal: 100_000 }, () => {});
  const ex = r.exchanges[0]!;
  const got = ex.request.body.bytes ?? Buffer.alloc(0);
  t.same(got, msg.subarray(0, got.length), 'the message as sent, from its prefix on');
  t.ok(got.length > 65_536, `the body got the room the hold gave back (${got.length} bytes)`);
  t.ok(ex.flags.includes('decode_error') && ex.flags.includes('truncated'), 'decode_error, truncated at the budget');
  t.equal(count(r.counters, 'http2.grpc_budget_exhausted'), 1, 'http2.grpc_budget_exhausted');
  t.equal(count(r.counters, 'http2.grpc_undecoded'), 1, 'http2.grpc_undecoded');
  t.equal(r.held, 0, 'budget released');
});

t.test('a stream cut inside a held message: kept as sent, budget released', async (t) => {
  const z = gzipSync(random(50_000, 3));
  const msg = grpcMessages([[1, z]]);
  const part = msg.subarray(0, 30_000);
  let mid = 0;
  const r = drive(part, {}, (held) => { mid = held; }, true);
  t.ok(mid >= 30_000 - 5, `charged while held (${mid})`);
  const ex = r.exchanges[0]!;
  t.same(ex.request.body.bytes, part, 'what came, as sent');
  t.ok(ex.flags.includes('decode_error') && ex.flags.includes('interrupted'), 'decode_error, interrupted');
  t.equal(r.held, 0, 'budget released');
});

t.test('a message decoding beyond maxDecodedBytes is kept as sent; the direction decodes no more', async (t) => {
  const z = gzipSync(Buffer.alloc(50_000, 0x62));
  const small = gzipSync(Buffer.from('small'));
  const msg = grpcMessages([[1, z], [1, small]]);
  const r = drive(msg, { maxDecodedBytes: 20_000 }, () => {});
  const ex = r.exchanges[0]!;
  t.same(ex.request.body.bytes, msg, 'both as sent: the decoding output of the direction reached the cap with the first');
  t.ok(ex.flags.includes('decode_error'), 'decode_error');
  t.equal(count(r.counters, 'http2.grpc_decode_cap'), 2, 'http2.grpc_decode_cap');
  t.equal(r.held, 0, 'budget released');
});
