/**
 * The HTTP parser alternative of the performance targets (llhttp), measured (a script, not a test):
 *
 *   node --no-deprecation --import @tapjs/typescript/import bench/parsers/llhttp-vs-parser.ts [--messages 451254] [--rounds 5]
 *
 * Parses the same keep-alive traffic (the small GET and its response as wrk and a Node server exchange
 * them, one message per execute() call, as the HTTP stage sees them on the live benchmark) with:
 *  - the sensor's MessageParser (the project's own parser, src/http/parser/; the response framed as the
 *    stage frames it, through setFraming in onHead);
 *  - llhttp, the C parser Node.js itself uses, through Node's internal binding (what "llhttp built into the
 *    addon" would cost at best: the binding calls back into JavaScript once per head, as the addon would,
 *    but without an N-API layer of its own).
 * Both report each head (method or status, headers as a flat list) and each body chunk to JavaScript.
 * Prints CPU seconds per parser and run (median of rounds). The two parsers' results are checked equal.
 */
import { MessageParser, HEAD_BODY, type HeadAction, type HeadInfo, type ParserOwner } from '../../src/http/parser/message-parser.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const MESSAGES = opt('messages', 451_254);
const ROUNDS = opt('rounds', 5);

const REQUEST = Buffer.from('GET /small HTTP/1.1\r\nHost: 10.232.147.1:8080\r\n\r\n', 'latin1');
const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nDate: Sun, 29 Nov 2026 10:00:22 GMT\r\n' +
  'Connection: keep-alive\r\nKeep-Alive: timeout=30\r\n\r\nok', 'latin1');

interface Tally { heads: number; headerFields: number; bodyBytes: number }

class CountingOwner implements ParserOwner {
  tally: Tally = { heads: 0, headerFields: 0, bodyBytes: 0 };
  onHead(p: MessageParser, info: HeadInfo): HeadAction {
    this.tally.heads++;
    this.tally.headerFields += info.headers.length / 2;
    if (p.role === 1) p.setFraming(false, 2);
    return HEAD_BODY;
  }
  onBody(_p: MessageParser, chunk: Buffer): void { this.tally.bodyBytes += chunk.length; }
  onTrailers(): void {}
  onMessageEnd(p: MessageParser): void { void p; }
}

function runMessageParser(): Tally {
  const reqOwner = new CountingOwner();
  const resOwner = new CountingOwner();
  const rq = new MessageParser(0, reqOwner);
  const rs = new MessageParser(1, resOwner);
  for (let i = 0; i < MESSAGES; i++) {
    rq.execute(REQUEST, 0, REQUEST.length);
    rs.execute(RESPONSE, 0, RESPONSE.length);
  }
  return sum(reqOwner.tally, resOwner.tally);
}

interface NodeParser {
  initialize(type: number, resource: object): void;
  execute(b: Buffer): number | Error;
  [k: number]: unknown;
}
type NodeParserClass = (new () => NodeParser) & Record<string, number>;

function runLlhttp(): Tally {
  const { HTTPParser } = (process as unknown as { binding(n: string): { HTTPParser: NodeParserClass } }).binding('http_parser');
  const tally: Tally = { heads: 0, headerFields: 0, bodyBytes: 0 };
  const make = (type: number): NodeParser => {
    const p = new HTTPParser();
    p.initialize(type, {});
    p[HTTPParser.kOnHeadersComplete!] = (_maj: number, _min: number, headers: string[]) => {
      tally.heads++;
      tally.headerFields += headers.length / 2;
      return 0;
    };
    p[HTTPParser.kOnBody!] = (b: Buffer) => { tally.bodyBytes += b.length; };
    p[HTTPParser.kOnMessageComplete!] = () => {};
    p[HTTPParser.kOnExecute!] = () => {};
    return p;
  };
  const rq = make(HTTPParser.REQUEST!);
  const rs = make(HTTPParser.RESPONSE!);
  for (let i = 0; i < MESSAGES; i++) {
    rq.execute(REQUEST);
    rs.execute(RESPONSE);
  }
  return tally;
}

function sum(a: Tally, b: Tally): Tally {
  return { heads: a.heads + b.heads, headerFields: a.headerFields + b.headerFields, bodyBytes: a.bodyBytes + b.bodyBytes };
}

function cpuSeconds(f: () => Tally): [number, Tally] {
  const c0 = process.cpuUsage();
  const t = f();
  const c = process.cpuUsage(c0);
  return [(c.user + c.system) / 1e6, t];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<string, number[]> = { MessageParser: [], llhttp: [] };
const check: Record<string, Tally> = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, f] of [['MessageParser', runMessageParser], ['llhttp', runLlhttp]] as const) {
    const [s, t] = cpuSeconds(f);
    results[name]!.push(s);
    check[name] = t;
  }
}
const a = JSON.stringify(check.MessageParser);
const b = JSON.stringify(check.llhttp);
console.log(`${MESSAGES} request/response pairs, ${ROUNDS} rounds; both parsers saw ${a}${a === b ? '' : ` / llhttp ${b} (DIFFERENT)`}`);
for (const [name, xs] of Object.entries(results)) {
  console.log(`${name.padEnd(14)} median ${median(xs).toFixed(2)} s CPU  (${xs.map((x) => x.toFixed(2)).join(' ')})  ` +
    `${((median(xs) / (2 * MESSAGES)) * 1e9).toFixed(0)} ns per message`);
}
