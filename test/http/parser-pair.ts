/**
 * The project's MessageParser and http-parser-js (the parser it replaced; a devDependency, used only in
 * tests) run over the same byte stream, split into the same pieces, each recording what it reports as
 * comparable events: heads (start line and fields), each message's body (pieces joined), trailers, message
 * ends, upgrades, errors. Our parser is framed by framing.ts (as the HTTP stage frames it); the stock one
 * frames itself. Only well-formed streams are expected to give equal events (see the known differences in
 * parser-side-by-side.test.ts and docs/http.md).
 */
import { HTTPParser } from 'http-parser-js';
import { decideFraming, newFraming, statusHasNoBody, FRAME_CHUNKED, FRAME_NONE, FRAME_SIZED } from '../../src/http/framing.js';
import {
  MessageParser, HEAD_BODY, HEAD_NO_BODY, HEAD_STOP, type HeadAction, type HeadInfo, type ParserOwner,
} from '../../src/http/parser/message-parser.js';

export type Event = unknown[];

interface StockInfo {
  versionMajor: number;
  versionMinor: number;
  headers: string[];
  method?: string;
  url?: string;
  statusCode?: number;
  statusMessage?: string;
  upgrade: boolean;
}

function headEvent(i: StockInfo | HeadInfo): Event {
  return ['head', i.method ?? '', i.url ?? '', i.versionMajor, i.versionMinor, i.statusCode ?? 0, i.statusMessage ?? '', [...i.headers]];
}

/** Collects events; bodies are joined per message so the split points do not show. */
class Recorder {
  readonly events: Event[] = [];
  private body: Buffer[] = [];
  head(e: Event): void {
    this.events.push(e);
  }
  bodyPiece(b: Buffer): void {
    if (b.length > 0) this.body.push(Buffer.from(b));
  }
  end(): void {
    this.events.push(['end', Buffer.concat(this.body).toString('latin1')]);
    this.body = [];
  }
}

class OurOwner extends Recorder implements ParserOwner {
  private readonly framing = newFraming();
  upgraded = false;
  onHead(p: MessageParser, info: HeadInfo): HeadAction {
    this.head(headEvent(info));
    const f = decideFraming(info.headers, p.role === 0, this.framing);
    if (p.role === 0 ? f.upgrade : info.statusCode === 101 && f.upgrade) {
      this.upgraded = true;
      this.events.push(['upgrade']);
      return HEAD_STOP;
    }
    if (p.role === 1 && statusHasNoBody(info.statusCode)) return HEAD_NO_BODY;
    if (f.error !== null) {
      this.events.push(['framing-error']);
      return HEAD_STOP;
    }
    p.setFraming(f.kind === FRAME_CHUNKED, f.kind === FRAME_SIZED ? f.length : f.kind === FRAME_NONE ? 0 : null);
    return HEAD_BODY;
  }
  onBody(_p: MessageParser, chunk: Buffer): void {
    this.bodyPiece(chunk);
  }
  onTrailers(_p: MessageParser, trailers: string[]): void {
    this.events.push(['trailers', [...trailers]]);
  }
  onMessageEnd(): void {
    this.end();
  }
}

/** Events of our parser over `pieces` (role 0 request stream, 1 response stream), then the close. */
export function runOurs(role: 0 | 1, pieces: Buffer[]): Event[] {
  const owner = new OurOwner();
  const p = new MessageParser(role, owner);
  for (const piece of pieces) {
    const r = p.execute(piece, 0, piece.length);
    if (r < 0) {
      owner.events.push(['error']);
      return owner.events;
    }
    if (owner.upgraded) return owner.events;
  }
  p.finish();
  return owner.events;
}

interface Stock {
  execute(b: Buffer, start?: number, len?: number): number | Error;
  finish(): void | Error;
  _compatMode0_11: boolean;
  [k: number]: unknown;
}

/** Events of http-parser-js 0.5 over the same pieces (its own framing; onHeadersComplete answers 0). */
export function runStock(role: 0 | 1, pieces: Buffer[]): Event[] {
  const rec = new Recorder();
  const p = new (HTTPParser as unknown as new (t: string) => Stock)(role === 0 ? 'REQUEST' : 'RESPONSE');
  p._compatMode0_11 = true; // info.method is the method string
  let upgraded = false;
  p[HTTPParser.kOnHeadersComplete] = (info: StockInfo): number => {
    rec.head(headEvent(info));
    if (info.upgrade) {
      upgraded = true;
      rec.events.push(['upgrade']);
    }
    return 0;
  };
  p[HTTPParser.kOnBody] = (chunk: Buffer): void => rec.bodyPiece(chunk);
  p[HTTPParser.kOnHeaders] = (trailers: string[]): void => {
    rec.events.push(['trailers', [...trailers]]);
  };
  p[HTTPParser.kOnMessageComplete] = (): void => rec.end();
  for (const piece of pieces) {
    const r = p.execute(piece, 0, piece.length);
    if (r instanceof Error) {
      rec.events.push(['error']);
      return rec.events;
    }
    if (upgraded) return rec.events;
  }
  p.finish();
  return rec.events;
}

/** `data` cut at `cuts` random points (sorted, distinct, inside), each piece a copy. */
export function split(data: Buffer, rnd: () => number, cuts: number): Buffer[] {
  const points = new Set<number>();
  for (let i = 0; i < cuts && data.length > 1; i++) points.add(1 + Math.floor(rnd() * (data.length - 1)));
  const sorted = [...points].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const at of [...sorted, data.length]) {
    out.push(Buffer.from(data.subarray(from, at)));
    from = at;
  }
  return out;
}
