import t from 'tap';
import zlib from 'node:zlib';
import { forEverySplit, req, res, run } from './harness.js';

const plain = Buffer.from(JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item-${i}` })) }));

function encodedResponse(encoding: string, body: Buffer, chunked = false): Buffer {
  const head = `HTTP/1.1 200 OK\r\nContent-Encoding: ${encoding}\r\n` +
    (chunked ? 'Transfer-Encoding: chunked\r\n\r\n' : `Content-Length: ${body.length}\r\n\r\n`);
  if (!chunked) return Buffer.concat([Buffer.from(head), body]);
  const half = Math.floor(body.length / 2);
  return Buffer.concat([Buffer.from(head), Buffer.from(`${half.toString(16)}\r\n`), body.subarray(0, half),
    Buffer.from(`\r\n${(body.length - half).toString(16)}\r\n`), body.subarray(half), Buffer.from('\r\n0\r\n\r\n')]);
}

const GET = req('GET /items HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip, deflate, br\r\n\r\n');

const cases: Array<[string, Buffer, string]> = [
  ['gzip', zlib.gzipSync(plain), 'gzip'],
  ['x-gzip', zlib.gzipSync(plain), 'gzip'],
  ['deflate', zlib.deflateSync(plain), 'deflate'],
  ['deflate', zlib.deflateRawSync(plain), 'deflate'], // raw deflate, as some servers send
  ['br', zlib.brotliCompressSync(plain), 'br'],
];

for (const [enc, body, reported] of cases) {
  t.test(`Content-Encoding ${enc} (${body[0] === 0x78 ? 'zlib' : 'raw/other'}) is decoded; length is the plaintext size`, async (t) => {
    for (const chunked of [false, true]) {
      const r = forEverySplit(t, [GET, res(encodedResponse(enc, body, chunked))], {}, 40);
      const b = r.exchanges[0].response!.body;
      t.equal(b.length, plain.length);
      t.equal(b.encoding, reported);
      t.ok(b.bytes?.equals(plain), 'decoded bytes are the plaintext');
      t.equal(b.truncated, false);
      t.strictSame(r.exchanges[0].flags, []);
      t.equal(r.counters.get('http.bodies_decoded'), 1);
    }
  });
}

t.test('request bodies are decoded too', async (t) => {
  const gz = zlib.gzipSync(plain);
  const r = run([req(Buffer.concat([Buffer.from(`POST /u HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`), gz]))]);
  t.equal(r.exchanges[0].request.body.length, plain.length);
});

t.test('decompression bomb: decoding stops at maxDecodedBytes, flagged truncated and counted', async (t) => {
  const zeros = 40 * 1024 * 1024;
  const bomb = zlib.gzipSync(Buffer.alloc(zeros));
  t.ok(bomb.length < 100_000, 'the bomb is small');
  const cap = 4 * 1024 * 1024;
  const r = run([GET, res(encodedResponse('gzip', bomb))], { options: { maxDecodedBytes: cap, maxHttpLength: 1000 } });
  const b = r.exchanges[0].response!.body;
  t.ok(b.length <= cap && b.length > 0, `length ${b.length} stays under the cap`);
  t.equal(b.bytes?.length, 1000);
  t.equal(b.truncated, true);
  t.ok(r.exchanges[0].flags.includes('truncated'));
  t.equal(r.counters.get('http.decode_cap_hit'), 1);
});

t.test('maxHttpLength: captured bytes stop at the cap, length counts everything', async (t) => {
  const body = 'x'.repeat(5000);
  const r = forEverySplit(t, [GET, res(`HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n${body}`)], { options: { maxHttpLength: 1234 } }, 30);
  const b = r.exchanges[0].response!.body;
  t.equal(b.length, 5000);
  t.equal(b.bytes?.length, 1234);
  t.equal(b.truncated, true);
  t.ok(r.exchanges[0].flags.includes('truncated'));
  t.equal(r.counters.get('http.body_truncated'), 1);

  const gz = zlib.gzipSync(plain);
  const r2 = run([GET, res(encodedResponse('gzip', gz))], { options: { maxHttpLength: 100 } });
  t.equal(r2.exchanges[0].response!.body.length, plain.length, 'decoded length is counted past the cap');
  t.ok(r2.exchanges[0].response!.body.bytes?.equals(plain.subarray(0, 100)));
});

t.test('global body budget: bytes beyond maxBodyBufferTotal are not captured; released on emission', async (t) => {
  const r = run([req('GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n'),
    res(`HTTP/1.1 200 OK\r\nContent-Length: 600\r\n\r\n${'a'.repeat(600)}HTTP/1.1 200 OK\r\nContent-Length: 600\r\n\r\n${'b'.repeat(600)}`)],
  { options: { maxBodyBufferTotal: 1000 } });
  // each exchange is emitted (and its reservation released) before the next response begins
  t.equal(r.exchanges[1].response!.body.bytes?.length, 600);
  t.equal(r.factory.bodyBytesHeld, 0);
  const held = run([req(`POST /1 HTTP/1.1\r\nContent-Length: 800\r\n\r\n${'a'.repeat(800)}POST /2 HTTP/1.1\r\nContent-Length: 800\r\n\r\n${'b'.repeat(800)}`)],
    { options: { maxBodyBufferTotal: 1000 }, noClose: true });
  t.equal(held.factory.bodyBytesHeld, 1000, 'two unanswered requests hold at most the budget');
  t.equal(held.counters.get('http.body_budget_exhausted'), 1, 'the second body hit the budget');
});

t.test('unknown and broken encodings', async (t) => {
  const r = run([GET, res('HTTP/1.1 200 OK\r\nContent-Encoding: zstd\r\nContent-Length: 6\r\n\r\n(zstd)')]);
  t.match(r.exchanges[0].response!.body, { length: 6, encoding: null });
  t.equal(r.exchanges[0].response!.body.bytes?.toString(), '(zstd)');
  t.equal(r.counters.get('http.bodies_decoded'), 0);

  const r2 = run([GET, res('HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 11\r\n\r\nnot gzip!!!')]);
  // not gzip at all: the bytes as sent, flagged (docs/http.md, "Leniency")
  t.match(r2.exchanges[0].response!.body, { length: 11, encoding: null, truncated: false });
  t.equal(r2.exchanges[0].response!.body.bytes?.toString(), 'not gzip!!!');
  t.strictSame([...r2.exchanges[0].flags].sort(), ['decode_error']);
  t.equal(r2.counters.get('http.decode_error'), 1);
});

t.test('policy drop: nothing buffered or decoded, response parsed to stay in sync', async (t) => {
  const gz = zlib.gzipSync(plain);
  const policy = { admit: (h: { path: string }) => h.path !== '/secret' };
  const steps = [
    req(Buffer.concat([Buffer.from(`POST /secret HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`), gz])),
    req('HEAD /secret HTTP/1.1\r\n\r\nGET /open HTTP/1.1\r\n\r\n'),
    res(encodedResponse('gzip', gz, true)),
    res('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nopen'),
  ];
  const r = forEverySplit(t, steps, { policy }, 20);
  t.equal(r.exchanges.length, 1);
  t.match(r.exchanges[0], { depth: 3, request: { path: '/open' }, response: { body: { length: 4 } } });
  t.equal(r.counters.get('http.dropped_by_policy'), 2);
  t.equal(r.counters.get('http.bodies_decoded'), 0, 'dropped exchanges never reach decoding');
  t.equal(r.factory.bodyBytesHeld, 0);
  t.equal(r.heads.length, 3, 'admit is called once per request');
  t.match(r.heads[0], { method: 'POST', path: '/secret', userAgent: null });
});
