/**
 * The whole-head path of MessageParser (src/http/whole-head.ts) against its per-line path (the same parser
 * with the whole-head path off): the same heads, including foldSeen and badVersion, bodies, message ends,
 * errors and where the parser stopped, and bytes consumed, for every way of feeding the data. Covers the
 * request lines only this parser takes (HTTP/0.9, truncated versions, targets with blanks; the stock
 * parser rejects them, so parser-stock-lines.test.ts cannot compare them), random heads built from the
 * bytes the line handling treats specially, that the path is taken at all, and its cost bound.
 */
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { MessageParser, type ParserOwner } from '../../src/http/parser.js';
import { bin, rangeSplits, runOurs, shape, splits, type Call } from './parser-runs.js';

/** Compares both paths on every way of feeding `data`; returns how many ways agreed. */
function compareAll(t: Test, role: 0 | 1, data: Buffer, ret: number): number {
  let same = 0;
  for (const calls of [...splits(data), ...rangeSplits(data)]) {
    const ours = runOurs(role, calls, ret, false, true);
    const perLine = runOurs(role, calls, ret, true, true);
    if (!t.same(ours, perLine, `as the per-line path, onHead ${ret}, calls ${shape(calls)}`)) break;
    same++;
  }
  return same;
}

const REQUEST_LINES: Array<[string, string]> = [
  ['HTTP/0.9 simple request, then a request', 'GET /\r\nGET /x HTTP/1.0\r\n\r\n'],
  ['HTTP/0.9 line followed by header lines', 'GET /HTTP/1.1\r\nHost: h\r\n\r\n'],
  ['unknown method without a version', 'T /x\r\n\r\n'],
  ['truncated versions', 'GET / HTTP/1.\r\nHost: h\r\n\r\nGET / HTTP/\r\nA: b\r\n\r\n'],
  ['target with spaces', 'CONNECT host:25 / HTTP/1.0\r\nHost: h\r\n\r\n'],
  ['empty target', 'GET HTTP/1.1\r\nHost: h\r\n\r\n'],
  ['blanks around the target and after the version', 'GET  /a  HTTP/1.1  \r\nHost: h\r\n\r\n'],
  ['tab in the target', 'GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n'],
  ['CR inside the request line', 'GET /a\rb HTTP/1.1\r\nHost: h\r\n\r\n'],
  ['0x8A inside the request line', 'GET /a\x8ab HTTP/1.1\r\nHost: h\r\n\r\n'],
  ['lower-case and token methods', 'get / HTTP/1.1\r\n\r\nM-SEARCH * HTTP/1.1\r\nMan: "x"\r\n\r\n'],
  ['version 2.0 and 0.9 in the line', 'GET / HTTP/2.0\r\n\r\nGET / HTTP/0.9\r\n\r\n'],
  ['bad request line after a whole head', 'GET / HTTP/1.1\r\nHost: h\r\n\r\n\x01\x02 x\r\n\r\n'],
  ['obs-fold of a framing field', 'POST / HTTP/1.1\r\nTransfer-Encoding:\r\n chunked\r\nHost: h\r\n\r\n0\r\n\r\n'],
  ['plain obs-fold', 'GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n'],
  ['empty lines between requests', '\r\n\r\nGET / HTTP/1.1\r\n\r\n\r\n\x8d\nGET /b HTTP/1.1\r\n\r\n'],
];

for (const [name, text] of REQUEST_LINES) {
  t.test(`request: ${name}`, async (t) => {
    const data = bin(text);
    const ways = splits(data).length + rangeSplits(data).length;
    t.equal(compareAll(t, 0, data, 0), ways, 'every way of feeding agrees');
  });
}

t.test('response: head searched as bytes (longer than decoded at once), calls over one buffer', async (t) => {
  const data = bin(`HTTP/1.1 200 OK\r\nX-Big: ${'v'.repeat(2100)}\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 204 x\r\nA: b\r\n\r\n`);
  const ways = splits(data).length + rangeSplits(data).length;
  t.equal(compareAll(t, 1, data, 0), ways, 'every way of feeding agrees');
});

/** Bytes the line handling treats specially, and fragments of real heads. */
const FRAGMENTS = [
  '\r\n', '\r', '\n', '\x8d', '\x8a', '\r\n\r\n', '\x8d\x8a', ':', ': ', ' ', '\t', '\0', 'a', 'Host: h\r\n',
  'Content-Length: 1\r\n', 'content-length: 2\r\n', 'Transfer-Encoding: chunked\r\n', 'Connection: upgrade\r\n',
  'Upgrade: x\r\n', 'X-Long: ' + 'y'.repeat(40) + '\r\n', 'Bad Name: v\r\n', ' fold\r\n', 'GET / HTTP/1.1\r\n',
  'HTTP/1.1 200 OK\r\n', 'HTTP/1.1 204 \r\n', 'HTTP/1.1 101 S\r\n', '0\r\n\r\n', 'abc',
];
const START_LINES = ['GET /a HTTP/1.1\r\n', 'GET /\r\n', 'POST /p HTTP/1.\r\n', 'HTTP/1.1 200 OK\r\n', 'HTTP/1.0 304 x\r\n', ''];

const caseArb = fc.record({
  role: fc.constantFrom(0 as const, 1 as const),
  ret: fc.constantFrom(0, 1, 2),
  heads: fc.array(
    fc.record({ start: fc.constantFrom(...START_LINES), body: fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 12 }) }),
    { minLength: 1, maxLength: 3 },
  ),
  split: fc.nat(),
});

t.test('random heads: whole-head path as the per-line path', async (t) => {
  const seed = Number(process.env.WHOLE_HEAD_SEED ?? 0x5eed);
  let failure = '';
  const r = fc.check(
    fc.property(caseArb, (c) => {
      // requests: onHead 0 only (the test's owner cannot pause for CONNECT and upgrade like the stage does)
      const ret = c.role === 0 ? 0 : c.ret;
      const data = bin(c.heads.map((h) => `${h.start}${h.body.join('')}\r\n\r\n`).join(''));
      const at = 1 + (c.split % Math.max(1, data.length - 1));
      const ways: Call[][] = [[data], [data.subarray(0, at), data.subarray(at)], [{ buf: data, start: 0, len: at }, { buf: data, start: at, len: data.length - at }]];
      for (const calls of ways) {
        const ours = JSON.stringify(runOurs(c.role, calls, ret, false, true));
        const perLine = JSON.stringify(runOurs(c.role, calls, ret, true, true));
        if (ours !== perLine) {
          failure = `calls ${shape(calls)}\n  whole-head: ${ours}\n  per-line:   ${perLine}`;
          return false;
        }
      }
      return true;
    }),
    { seed, numRuns: 3000 },
  );
  t.notOk(r.failed, r.failed ? `${failure}\n  seed ${r.seed}, counterexample ${JSON.stringify(r.counterexample)}` : 'all cases agree');
});

/** Counts the text decoded from buffers (Buffer.prototype.asciiSlice) while `fn` runs. */
function decoded(fn: () => void): { calls: number; bytes: number } {
  const proto = Buffer.prototype as unknown as { asciiSlice: (this: Buffer, s: number, e: number) => string };
  const orig = proto.asciiSlice;
  const seen = { calls: 0, bytes: 0 };
  proto.asciiSlice = function (this: Buffer, s: number, e: number): string {
    seen.calls++;
    seen.bytes += e - s;
    return orig.call(this, s, e);
  };
  try {
    fn();
  } finally {
    proto.asciiSlice = orig;
  }
  return seen;
}

const quiet: ParserOwner = { onHead: () => 0, onBody() {}, onTrailers() {}, onMessageEnd() {} };

t.test('a whole head in one call is decoded once', async (t) => {
  const head = bin('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nDate: Sun, 29 Nov 2026 10:00:22 GMT\r\nConnection: keep-alive\r\n\r\nok');
  const p = new MessageParser(1, quiet);
  const whole = decoded(() => t.equal(p.execute(head, 0, head.length), head.length, 'all consumed'));
  t.equal(whole.calls, 1, 'one decoding for the five lines');
  const q = new MessageParser(1, quiet);
  const split = decoded(() => {
    q.execute(head.subarray(0, 20));
    q.execute(head.subarray(20));
  });
  t.ok(split.calls >= 5, `a head split across calls is read line by line (${split.calls} decodings)`);
});

t.test('decoding stays linear in the data when heads are not whole-head ones', async (t) => {
  // HTTP/0.9 lines end with bare LF: the path gives up once per call, not once per message
  const data = bin(`${'GET /x\n'.repeat(2000)}GET /y HTTP/1.1\r\n\r\n`);
  let heads = 0;
  const p = new MessageParser(0, { ...quiet, onHead: () => (heads++, 0) });
  const seen = decoded(() => t.equal(p.execute(data, 0, data.length), data.length, 'all consumed'));
  t.equal(heads, 2001, 'every request parsed');
  t.ok(seen.bytes <= 3 * data.length, `decoded ${seen.bytes} bytes for ${data.length}`);
});
