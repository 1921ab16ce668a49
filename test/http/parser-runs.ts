/**
 * Runs of one message parser over a list of execute() calls, recorded as comparable events: what each
 * call consumed, the heads (header pairs, status line, upgrade; with `detail` also foldSeen and
 * badVersion), bodies, trailers, message ends and the first error (its code and the absolute position the
 * parser stopped at). Three parsers: MessageParser, MessageParser with the whole-head path off (the
 * per-line path alone, PerLineParser) and the stock http-parser-js. Used by parser-stock-lines.test.ts
 * and whole-head.test.ts.
 */
import { HTTPParser } from 'http-parser-js';
import { MessageParser, type HeadInfo, type ParserOwner } from '../../src/http/parser.js';

export type Event = unknown[];

/** One execute() call: a whole buffer, or `len` bytes from `start` of a larger buffer. */
export type Call = Buffer | { buf: Buffer; start: number; len: number };

/** MessageParser with the whole-head path (src/http/whole-head.ts) switched off: every line read one by one. */
export class PerLineParser extends MessageParser {
  override REQUEST_LINE(): boolean | void {
    this.wholeHeads = false;
    return super.REQUEST_LINE();
  }

  override RESPONSE_LINE(): boolean | void {
    this.wholeHeads = false;
    return super.RESPONSE_LINE();
  }
}

function headEvent(info: HeadInfo, extra: unknown[]): Event {
  return ['head', info.versionMajor, info.versionMinor, [...info.headers], info.statusCode, info.statusMessage, info.upgrade, ...extra];
}

interface Executor {
  execute(c: Buffer, s: number, n: number): number | Error;
  offset: number;
}

/** Feeds the calls, recording what each consumed, up to the first error; `after` runs after each call. */
function feed(p: Executor, calls: Call[], events: Event[], after?: () => void): void {
  let base = 0;
  for (const c of calls) {
    const buf = Buffer.isBuffer(c) ? c : c.buf;
    const start = Buffer.isBuffer(c) ? 0 : c.start;
    const len = Buffer.isBuffer(c) ? c.length : c.len;
    const r = p.execute(buf, start, len);
    if (r instanceof Error) {
      events.push(['error', (r as Error & { code?: string }).code ?? r.message, base + p.offset - start]);
      return;
    }
    events.push(['consumed', r]);
    base += len;
    after?.();
  }
}

/**
 * What MessageParser (or PerLineParser with `perLine`) reports for `calls` when onHead answers `ret`.
 * `detail`: heads carry foldSeen and badVersion (not comparable with the stock parser).
 */
export function runOurs(role: 0 | 1, calls: Call[], ret: number, perLine = false, detail = false): Event[] {
  const events: Event[] = [];
  const owner: ParserOwner = {
    onHead(p, info) {
      events.push(headEvent(info, detail ? [p.foldSeen, p.badVersion] : []));
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
  feed(perLine ? new PerLineParser(role, owner) : new MessageParser(role, owner), calls, events);
  return events;
}

type StockParser = Executor & {
  maxHeaderSize: number;
  _compatMode0_11: boolean;
  [k: number]: unknown;
};

/** What the stock http-parser-js reports for `calls` (compat mode 0.11, no head size limit). */
export function runStock(role: 0 | 1, calls: Call[], ret: number): Event[] {
  const events: Event[] = [];
  const Stock = HTTPParser as unknown as new (type: string) => StockParser;
  const p = new Stock(role === 0 ? 'REQUEST' : 'RESPONSE');
  p._compatMode0_11 = true;
  p.maxHeaderSize = Number.MAX_SAFE_INTEGER;
  p[HTTPParser.kOnHeadersComplete] = (info: HeadInfo) => {
    events.push(headEvent(info, []));
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
  feed(p, calls, events, () => { p.maxHeaderSize = Number.MAX_SAFE_INTEGER; });
  return events;
}

/**
 * The ways `data` is fed: whole; in two pieces at every split point (views that end and start there, so
 * neither piece shows the other's bytes), or at `points` only when given; one byte per call.
 */
export function splits(data: Buffer, points?: number[]): Call[][] {
  const out: Call[][] = [[data]];
  const at = points ?? Array.from({ length: Math.max(0, data.length - 1) }, (_, i) => i + 1);
  for (const i of at) out.push([data.subarray(0, i), data.subarray(i)]);
  const bytes: Buffer[] = [];
  for (let i = 0; i < data.length; i++) bytes.push(data.subarray(i, i + 1));
  out.push(bytes);
  return out;
}

/** Two calls over the same buffer (the first call's range ends at `i`, the bytes after it are there). */
export function rangeSplits(data: Buffer): Call[][] {
  const out: Call[][] = [];
  for (let i = 1; i < data.length; i++) out.push([{ buf: data, start: 0, len: i }, { buf: data, start: i, len: data.length - i }]);
  return out;
}

/** Sizes of the calls, for messages. */
export function shape(calls: Call[]): string {
  return calls.map((c) => (Buffer.isBuffer(c) ? c.length : `${c.start}..${c.start + c.len}`)).join('+');
}

export function bin(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}
