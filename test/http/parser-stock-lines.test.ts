/**
 * MessageParser's speed overrides (src/http/parser.ts, stock-lines.ts and whole-head.ts: execute, consumeLine,
 * parseHeader, RESPONSE_LINE, the end of the head, nextRequest, whole heads read from one decoded string)
 * must give what the stock http-parser-js gives: the same heads (header pairs, status line, upgrade),
 * bodies, trailers, message ends, error codes and where the parser stopped, and bytes consumed, for every
 * split of the data into two execute() calls (a sample of them for long data) and for one byte per call.
 * The whole buffer and the splits that leave whole heads in one call go through the whole-head path, the
 * others through the per-line one; cases include several heads per call and lines that make the
 * whole-head path hand over to the per-line one (test/http/whole-head.test.ts compares the two paths on
 * request lines the stock parser does not take). The inputs cover the edge cases of the stock line
 * handling: OWS trimming, empty values, NUL bytes, bare LF, obs-fold, malformed lines, a CR inside a line
 * and bytes with the high bit set (decoded as 'ascii', which clears that bit: 0x8D reads as CR); and of the
 * end of the head: framing, Connection, upgrade, CONNECT, and each answer of onHead (0, 1, 2; requests
 * only 0: with 1 or 2 the rest is read as a request line, and REQUEST_LINE is the subclass's own, which
 * accepts lines the stock one rejects).
 */
import t from 'tap';
import { MessageParser, type ParserOwner } from '../../src/http/parser.js';
import { bin, runOurs, runStock, shape, splits } from './parser-runs.js';

/** A case: name, data, and the split points to try when not every one (long data). */
type Case = [string, Buffer, number[]?];

/** Every tenth split point and those around the given positions. */
function pointsNear(data: Buffer, ...at: number[]): number[] {
  const out = new Set<number>();
  for (let i = 10; i < data.length; i += 10) out.add(i);
  for (const a of at) for (let d = -3; d <= 3; d++) if (a + d > 0 && a + d < data.length) out.add(a + d);
  return [...out].sort((a, b) => a - b);
}

const BIG_VALUE = 'v'.repeat(2100); // a head longer than the whole-head path decodes at once (2 KiB)
const HUGE_VALUE = 'w'.repeat(17000); // a head longer than the whole-head path takes (16 KiB)
const bigHead = bin(`HTTP/1.1 200 OK\r\nX-Big: ${BIG_VALUE}\r\nContent-Length: 2\r\n\r\nok`);
const hugeHead = bin(`HTTP/1.1 200 OK\r\nA: b\r\nX-Huge: ${HUGE_VALUE}\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 204 x\r\n\r\n`);
const hugeRequest = bin(`GET /h HTTP/1.1\r\nX-Huge: ${HUGE_VALUE}\r\nHost: h\r\n\r\nGET /i HTTP/1.1\r\n\r\n`);

const RESPONSES: Case[] = [
  ['plain', bin('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nX-A: b\r\n\r\nabc')],
  ['OWS and empty values', bin('HTTP/1.1 200 OK\r\nA:  \t v w \t \r\nB:\r\nC:   \r\nD:x\r\nContent-Length: 0\r\n\r\n')],
  ['NUL kept in a value', bin('HTTP/1.1 200 OK\r\nX-N: a\0b\r\nContent-Length: 0\r\n\r\n')],
  ['bare LF lines', bin('HTTP/1.1 200 OK\nA: b\nContent-Length: 1\n\nz')],
  ['obs-fold', bin('HTTP/1.1 200 OK\r\nA: b\r\n  c  \r\n\td\r\nE:\r\n f\r\nContent-Length: 0\r\n\r\n')],
  ['malformed lines ignored', bin('HTTP/1.1 200 OK\r\nBad Name: x\r\njunk\r\n: v\r\nok: 1\r\nContent-Length: 0\r\n\r\n')],
  ['CR inside a header line', bin('HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n')],
  ['high bytes: 0x8D inside a value', bin('HTTP/1.1 200 OK\r\nA: b\x8dc\r\nContent-Length: 0\r\n\r\n')],
  ['high bytes: 0x8A inside a value', bin('HTTP/1.1 200 OK\r\nA: b \x8a c\r\nContent-Length: 0\r\n\r\n')],
  ['high bytes: 0x8D as the line end', bin('HTTP/1.1 200 OK\x8d\nA: b\x8d\nX\xba: \xe9\xa0\r\nContent-Length: 0\r\n\r\n')],
  ['high bytes: 0xA0 and 0x89 in a name', bin('HTTP/1.1 200 OK\r\nA\xa0B: 1\r\nC\x89D: 2\r\nContent-Length: 0\r\n\r\n')],
  ['status line without reason', bin('HTTP/1.1 204\r\n\r\nHTTP/1.1 304 \r\n\r\nHTTP/1.0 200  two  spaces\r\nContent-Length: 0\r\n\r\n')],
  ['status line with LF from 0x8A', bin('HTTP/1.1 200 O\x8aK\r\nContent-Length: 0\r\n\r\n')],
  ['status line with a CR inside', bin('HTTP/1.1 200 O\rK\r\n\r\n')],
  ['bad status line', bin('HTTP/1.1 20 OK\r\n\r\n')],
  ['four-digit status', bin('HTTP/1.1 2000 OK\r\n\r\n')],
  ['lower-case http', bin('http/1.1 200 OK\r\n\r\n')],
  ['1xx then final', bin('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')],
  ['upgrade', bin('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nraw')],
  [
    'chunked with trailers',
    bin('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T:  v \r\nY:\r\n\r\n'),
  ],
  ['conflicting Content-Length', bin('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n')],
  ['read until close', bin('HTTP/1.0 200 OK\r\nServer: s\r\n\r\nbody')],
  ['chunked wins over Content-Length', bin('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTRANSFER-ENCODING: Chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n')],
  ['duplicate equal Content-Length', bin('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 204 x\r\n\r\n')],
  ['Content-Length not a number', bin('HTTP/1.1 200 OK\r\nContent-Length: abc\r\nConnection: close\r\n\r\nrest')],
  ['upgrade headers on a 200', bin('HTTP/1.1 200 OK\r\nUpgrade: h2c\r\nConnection: upgrade\r\nContent-Length: 1\r\n\r\nx')],
  ['upgrade with chunked', bin('HTTP/1.1 101 S\r\nUPGRADE: x\r\nConnection: Keep-Alive\r\nconnection: UPGRADE\r\nTransfer-Encoding: chunked\r\n\r\nraw')],
  ['names of candidate lengths', bin('HTTP/1.1 200 OK\r\nUpgradX: a\r\nConnectioN: upgrade\r\ncontent-lengtH: 1\r\nX-Transfer-Encod: chunked\r\n\r\nx')],
  ['empty lines before a message', bin('\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')],
  // whole heads in one execute() call (src/http/whole-head.ts) and where that path hands over to the per-line one
  [
    'pipelined heads in one chunk',
    bin('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 204 No Content\r\nX: y\r\n\r\nHTTP/1.1 304 NM\r\nETag: "e"\r\n\r\n'
      + 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
  ],
  ['empty line between pipelined heads', bin('HTTP/1.1 204 A\r\n\r\n\r\nHTTP/1.1 204 B\r\nC: d\r\n\r\n')],
  ['0x8D LF as the blank line', bin('HTTP/1.1 204 A\r\nA: b\r\n\x8d\nHTTP/1.1 204 x\r\n\r\n')],
  ['CR LF CR LF made of high bytes', bin('HTTP/1.1 204 A\r\nA: b\x8d\x8a\x8d\x8aC: d\r\n\r\n')],
  ['0x8A as the LF of a line end', bin('HTTP/1.1 204 A\r\nA: b\r\x8aC: d\r\n\r\n')],
  ['bare LF blank line before a CR LF CR LF', bin('HTTP/1.1 204 A\r\nA: b\r\n\nHTTP/1.1 204 B\r\nC: d\r\n\r\n')],
  ['bare LF line end inside a CR LF head', bin('HTTP/1.1 204 A\r\nA: b\nC: d\r\nE:f\r\n\r\n')],
  ['bad status line after a whole head', bin('HTTP/1.1 204 A\r\nX: 1\r\n\r\nHTTP/1.1 20 B\r\n\r\n')],
  ['CR inside a line after taken lines', bin('HTTP/1.1 204 A\r\nX: 1\r\nY: 2\r3\r\nZ: 4\r\n\r\n')],
  ['obs-fold line holding a colon', bin('HTTP/1.1 200 OK\r\nA: b\r\n c: d\r\n\tE:f\r\nContent-Length: 0\r\n\r\n')],
  ['obs-fold of Content-Length in a whole head', bin('HTTP/1.1 200 OK\r\nContent-Length:\r\n 1\r\nX: y\r\n\r\nz')],
  ['body longer than the kept tail', bin(`HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n${'x'.repeat(400)}HTTP/1.1 204 B\r\n\r\n`)],
  ['head longer than decoded at once', bigHead, pointsNear(bigHead, 2048, bigHead.length - 2)],
  ['head longer than the whole-head limit', hugeHead, pointsNear(hugeHead, 2048, 16384, hugeHead.length - 20)],
];

const REQUESTS: Case[] = [
  ['keep-alive pair', bin('GET /a HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi')],
  ['request headers with edge cases', bin('GET / HTTP/1.1\r\nHost:h\r\nX:  \r\nY: a\0\r\n Z\r\nW: \xe9\r\n\r\n')],
  ['CONNECT request', bin('CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\nGET / HTTP/1.1\r\n\r\n')],
  ['chunked request with trailers', bin('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nT: 1\r\n\r\n')],
  ['upgrade request', bin('GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\r\n')],
  ['upgrade request with bytes after the head', bin('GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello')],
  [
    'three pipelined requests',
    bin('GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\nGET /c HTTP/1.0\r\n\r\n'),
  ],
  ['body longer than the kept tail, then a request', bin(`POST /p HTTP/1.1\r\nContent-Length: 300\r\n\r\n${'b'.repeat(300)}GET /n HTTP/1.1\r\n\r\n`)],
  ['NUL in the target and a value', bin('GET /a\0b HTTP/1.1\r\nX: \0\r\n\r\n')],
  ['0x8D LF ending the request line', bin('GET / HTTP/1.1\x8d\nHost: h\r\n\r\n')],
  ['CR LF CR LF made of high bytes in a request', bin('GET / HTTP/1.1\r\nA: b\x8d\x8a\x8d\x8aC: d\r\n\r\n')],
  ['name with blanks and a bare LF line in a request', bin('GET / HTTP/1.1\r\nBad Name: x\r\nA: b\nC: d\r\n\r\nGET /z HTTP/1.1\r\n\r\n')],
  ['obs-fold in a request', bin('GET / HTTP/1.1\r\nA: b\r\n c\r\nB: d\r\n\r\n')],
  ['conflicting Content-Length in a request', bin('POST / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 2\r\n\r\nab')],
  ['head longer than the whole-head limit, then a request', hugeRequest, pointsNear(hugeRequest, 16384, hugeRequest.length - 20)],
];

for (const [role, cases] of [[1, RESPONSES], [0, REQUESTS]] as const) {
  for (const [name, data, points] of cases) {
    t.test(`${role === 1 ? 'response' : 'request'}: ${name}`, async (t) => {
      let checked = 0;
      const rets = role === 1 ? [0, 1, 2] : [0];
      const ways = splits(data, points);
      for (const ret of rets) {
        for (const calls of ways) {
          const ours = runOurs(role, calls, ret);
          const stock = runStock(role, calls, ret);
          if (!t.same(ours, stock, `as the stock parser, onHead ${ret}, calls ${shape(calls)}`)) break;
          checked++;
        }
      }
      t.equal(checked, rets.length * ways.length, 'every split checked');
      // The whole-buffer run must have produced a head or an error, so the comparison is not vacuous.
      const whole = runOurs(role, [data], 0);
      t.ok(whole.some((e) => e[0] === 'head' || e[0] === 'error'), 'a head or an error reported');
    });
  }
}

t.test('obs-fold is noted in foldSeen, a fold of a framing field as FOLD_FRAMING', async (t) => {
  const owner: ParserOwner = { onHead: () => 1, onBody() {}, onTrailers() {}, onMessageEnd() {} };
  let seen = -1;
  const p = new MessageParser(1, { ...owner, onHead: (q) => ((seen = q.foldSeen), 1) });
  p.execute(bin('HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n'));
  t.equal(seen, 1, 'plain fold');
  p.execute(bin('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\t1\r\n\r\n'));
  t.equal(seen, 2, 'framing fold');
  p.execute(bin('HTTP/1.1 200 OK\r\nA: b\r\n\r\n'));
  t.equal(seen, 0, 'no fold, reset per message');
});
