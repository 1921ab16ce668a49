/**
 * MessageParser's speed overrides (src/http/parser.ts and stock-lines.ts: execute, consumeLine, parseHeader,
 * RESPONSE_LINE, the end of the head, nextRequest) must give what the stock http-parser-js gives: the same heads (header pairs, status line,
 * upgrade), bodies, trailers, message ends, error codes and bytes consumed, for every split of the data
 * into two execute() calls and for one byte per call. The inputs cover the edge cases of the stock line
 * handling: OWS trimming, empty values, NUL bytes, bare LF, obs-fold, malformed lines, a CR inside a line
 * and bytes with the high bit set (decoded as 'ascii', which clears that bit: 0x8D reads as CR); and of the
 * end of the head: framing, Connection, upgrade, CONNECT, and each answer of onHead (0, 1, 2; requests
 * only 0: with 1 or 2 the rest is read as a request line, and REQUEST_LINE is the subclass's own, which
 * accepts lines the stock one rejects).
 */
import t from 'tap';
import { HTTPParser } from 'http-parser-js';
import { MessageParser, type HeadInfo, type ParserOwner } from '../../src/http/parser.js';

type Event = unknown[];

function headEvent(info: HeadInfo): Event {
  return ['head', info.versionMajor, info.versionMinor, [...info.headers], info.statusCode, info.statusMessage, info.upgrade];
}

/** What a parser reported while fed `chunks` (stops at the first error, as the stage does). */
interface Run {
  events: Event[];
}

function errorEvent(r: Error): Event {
  return ['error', (r as Error & { code?: string }).code ?? r.message];
}

/** What onHead answers in each role's cases (see the loop below). */
function runOurs(role: 0 | 1, chunks: Buffer[], ret: number): Run {
  const events: Event[] = [];
  const owner: ParserOwner = {
    onHead(_p, info) {
      events.push(headEvent(info));
      return ret;
    },
    onBody(_p, chunk) {
      events.push(['body', chunk.toString('latin1')]);
    },
    onTrailers(_p, trailers) {
      events.push(['trailers', [...trailers]]);
    },
    onMessageEnd() {
      events.push(['end']);
    },
  };
  feed(new MessageParser(role, owner), chunks, events);
  return { events };
}

/** Feeds `chunks`, recording what each execute() consumed, up to the first error; `after` runs after each. */
function feed(p: { execute(c: Buffer, s: number, n: number): number | Error }, chunks: Buffer[], events: Event[], after?: () => void): void {
  for (const c of chunks) {
    const r = p.execute(c, 0, c.length);
    if (r instanceof Error) {
      events.push(errorEvent(r));
      return;
    }
    events.push(['consumed', r]);
    after?.();
  }
}

type StockParser = {
  execute(chunk: Buffer, start: number, length: number): number | Error;
  maxHeaderSize: number;
  _compatMode0_11: boolean;
  [k: number]: unknown;
};

function runStock(role: 0 | 1, chunks: Buffer[], ret: number): Run {
  const events: Event[] = [];
  const Stock = HTTPParser as unknown as new (type: string) => StockParser;
  const p = new Stock(role === 0 ? 'REQUEST' : 'RESPONSE');
  p._compatMode0_11 = true;
  p.maxHeaderSize = Number.MAX_SAFE_INTEGER;
  p[HTTPParser.kOnHeadersComplete] = (info: HeadInfo) => {
    events.push(headEvent(info));
    return ret;
  };
  p[HTTPParser.kOnBody] = (chunk: Buffer) => {
    events.push(['body', chunk.toString('latin1')]);
  };
  p[HTTPParser.kOnHeaders] = (trailers: string[]) => {
    events.push(['trailers', [...trailers]]);
  };
  p[HTTPParser.kOnMessageComplete] = () => {
    events.push(['end']);
  };
  // The stock parser resets maxHeaderSize after each message; keep it out of the comparison.
  feed(p, chunks, events, () => { p.maxHeaderSize = Number.MAX_SAFE_INTEGER; });
  return { events };
}

function splits(data: Buffer): Buffer[][] {
  const out: Buffer[][] = [[data]];
  for (let i = 1; i < data.length; i++) out.push([data.subarray(0, i), data.subarray(i)]);
  const bytes: Buffer[] = [];
  for (let i = 0; i < data.length; i++) bytes.push(data.subarray(i, i + 1));
  out.push(bytes);
  return out;
}

function bin(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

const RESPONSES: Array<[string, Buffer]> = [
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
];

const REQUESTS: Array<[string, Buffer]> = [
  ['keep-alive pair', bin('GET /a HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi')],
  ['request headers with edge cases', bin('GET / HTTP/1.1\r\nHost:h\r\nX:  \r\nY: a\0\r\n Z\r\nW: \xe9\r\n\r\n')],
  ['CONNECT request', bin('CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\nGET / HTTP/1.1\r\n\r\n')],
  ['chunked request with trailers', bin('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nT: 1\r\n\r\n')],
  ['upgrade request', bin('GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\r\n')],
];

for (const [role, cases] of [[1, RESPONSES], [0, REQUESTS]] as const) {
  for (const [name, data] of cases) {
    t.test(`${role === 1 ? 'response' : 'request'}: ${name}`, async (t) => {
      let checked = 0;
      const rets = role === 1 ? [0, 1, 2] : [0];
      for (const ret of rets) {
        for (const chunks of splits(data)) {
          const ours = runOurs(role, chunks, ret);
          const stock = runStock(role, chunks, ret);
          const where = chunks.map((c) => c.length).join('+');
          if (!t.same(ours.events, stock.events, `as the stock parser, onHead ${ret}, chunks ${where}`)) break;
          checked++;
        }
      }
      t.equal(checked, rets.length * (data.length + 1), 'every split checked');
      // The whole-buffer run must have produced a head or an error, so the comparison is not vacuous.
      const whole = runOurs(role, [data], 0).events;
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
