/**
 * One HTTP/1.x message parser per direction: http-parser-js's HTTPParser with a few states replaced.
 *
 * Why a subclass: the stock parser accepts a negative or NaN chunk size (the read offset then moves
 * backwards), rejects methods outside its list and HTTP/0.9 request lines, resets maxHeaderSize after every
 * message and counts body bytes as header bytes. The overrides below are the only places that touch its
 * internals (http-parser-js ^0.5.10): `state`, `line`, `chunk`, `offset`, `end`, `isChunked`, `body_bytes`,
 * `info`, `isUserCall`, `hadError`, `headerSize`, `connection`.
 *
 * Replaced for correctness: REQUEST_LINE (any token method, HTTP/0.9, truncated versions; request-line.ts),
 * BODY_CHUNKHEAD (strict hex sizes), reinitialize (keeps maxHeaderSize). Replaced for speed, with the stock
 * results unchanged (test/http/parser-stock-lines.test.ts compares them with the stock parser): execute (the
 * state method called through a switch, not a lookup by the state's name), initialize (the state set to an
 * interned literal instead of a string built per message), consumeLine (LF found with Buffer.indexOf
 * instead of a byte loop, the CR of CRLF dropped before decoding instead of after), parseHeader (a
 * `name: value` line split at the first ':' without the stock regex; any other line, such as obs-fold, a
 * bare CR or a name with blanks, still goes through the stock code), RESPONSE_LINE (fixed-layout check
 * without a regex, the stock regex as the fallback), HEADER (the stock end of the head: framing,
 * Connection, upgrade, onHeadersComplete, body state; only candidate names lower-cased, no closure)
 * and nextRequest (no closure per message).
 *
 * Whole heads (whole-head.ts): at a message start (REQUEST_LINE / RESPONSE_LINE, nothing held in `line`),
 * when the data of the execute() call holds the complete head, the head is decoded once and its lines are
 * taken from that one string, with the per-line steps' results (test/http/whole-head.test.ts compares the
 * two paths); any line it does not take the stock way is left to the per-line steps above, from that line
 * on. `wholeHeads` switches it off for the rest of an execute() call once it gave up.
 *
 * Stock semantics the speed overrides keep: lines end at LF, a CR before it is dropped (bare LF accepted);
 * lines are decoded as 'ascii' (Node clears the high bit, so 0x8D reads as CR and 0x8A as LF in the text:
 * the checks run on the decoded text, not on the bytes); a CR left inside a header line is
 * HPE_LF_EXPECTED; the value is trimmed of leading/trailing SP/HTAB and may be empty; NUL bytes are kept.
 *
 * Callbacks are prototype methods that forward to `owner` (set once per parser): no closures per chunk.
 * They never throw: a throwing callback would make execute() rethrow out of the stage, so any exception
 * is caught, stored in `internalError` and the message is aborted (return 2 = stop after this head).
 */
import { HTTPParser } from 'http-parser-js';
import { parseError, requestLine } from './request-line.js';
import {
  endOfHead, FOLD_NONE, K_ON_BODY, K_ON_HEADERS, K_ON_HEADERS_COMPLETE, K_ON_MESSAGE_COMPLETE, parseStatusLine, readLine,
  splitFieldLine, type StockInternals,
} from './stock-lines.js';
import { readWholeHead, WHOLE_NONE, WHOLE_STOP } from './whole-head.js';

/** The head as http-parser-js reports it (compat mode: `method` is the method string). */
export interface HeadInfo {
  versionMajor: number;
  versionMinor: number;
  /** Flat [name, value, name, value, ...] in the order sent. */
  headers: string[];
  method: string;
  url: string;
  statusCode: number;
  statusMessage: string;
  upgrade: boolean;
}

/** What a parser reports to. Return of onHead: 0 parse the body as framed, 1 no body, 2 no body and stop execute(). */
export interface ParserOwner {
  onHead(p: MessageParser, info: HeadInfo): number;
  onBody(p: MessageParser, chunk: Buffer): void;
  onTrailers(p: MessageParser, trailers: string[]): void;
  onMessageEnd(p: MessageParser): void;
}

/** The internals of http-parser-js used here (the per-line ones: StockInternals). */
interface ParserInternals extends StockInternals {
  hadError: boolean;
  headerSize: number;
  HEADER(): boolean | void;
  BODY_SIZED(): boolean | void;
  info: HeadInfo;
  maxHeaderSize: number;
  execute(chunk: Buffer, start?: number, length?: number): number | Error;
  finish(): void | Error;
  initialize(type: string): void;
  RESPONSE_LINE(): boolean | void;
  consumeLine(): string | undefined;
  userCall(): (ret?: unknown) => unknown;
  parseHeader(line: string, headers: string[]): void;
}

const Base = HTTPParser as unknown as new (type: string) => ParserInternals;
/** The stock class's static default (80 KiB), which its execute() uses when maxHeaderSize is 0. */
const StockParser = HTTPParser as unknown as { maxHeaderSize: number };

/** Chunk size: hex (leading zeros allowed, at most 13 significant digits = below 2^52), optional extensions. */
const CHUNK_SIZE_RE = /^0*([0-9A-Fa-f]{1,13})[ \t]*(?:;.*)?$/;

/** The states of the head (the stock `headerState`); compared, not looked up: a keyed lookup by the state is slow. */
function isHeadState(state: string): boolean {
  return state === 'HEADER' || state === 'REQUEST_LINE' || state === 'RESPONSE_LINE';
}
const ONE_BYTE = Buffer.alloc(1);

export { parseError };

export class MessageParser extends Base {
  declare owner: ParserOwner;
  /** 0 request parser, 1 response parser (the role, not the TCP direction). */
  declare role: 0 | 1;
  declare foldSeen: number;
  /** True while execute() runs over filler bytes that stand for a gap: onBody must not capture them. */
  declare gapFill: boolean;
  declare internalError: unknown;
  /** The current request line had a truncated version (`HTTP/1.`); reset per message. */
  declare badVersion: boolean;
  /** The whole-head path (whole-head.ts) may be tried: set per execute() call, cleared when it gives up. */
  declare wholeHeads: boolean;

  constructor(role: 0 | 1, owner: ParserOwner) {
    super(role === 0 ? 'REQUEST' : 'RESPONSE');
    this.owner = owner;
    this.role = role;
    this.gapFill = false;
    this.internalError = null;
    this.wholeHeads = false;
    // The stock limit counts body bytes too; the owner enforces its own head limit.
    this.maxHeaderSize = Number.MAX_SAFE_INTEGER;
  }

  override initialize(type: string): void {
    super.initialize(type);
    // The stock code builds the state as type + '_LINE', a string made anew per message that every state
    // comparison must then read through; the literal is one interned string.
    this.state = type === 'REQUEST' ? 'REQUEST_LINE' : 'RESPONSE_LINE';
    this.foldSeen = FOLD_NONE;
    this.badVersion = false;
  }

  /** Called by the stock parser after each message; unlike the stock one it keeps maxHeaderSize. */
  reinitialize(type: string): void {
    this.initialize(type);
  }

  /**
   * The stock execute with the same contract (bytes consumed, or the Error; an exception thrown by a
   * callback is rethrown): the state method is called through a switch instead of `this[this.state]()`,
   * whose key changes with every state and makes that lookup the slow generic one.
   */
  override execute(chunk: Buffer, start?: number, length?: number): number | Error {
    const from = start || 0;
    this.chunk = chunk;
    this.offset = from;
    const end = (this.end = from + (typeof length === 'number' ? length : chunk.length));
    this.wholeHeads = true;
    try {
      while (this.offset < end) {
        if (this.step()) break;
      }
    } catch (err) {
      if (this.isUserCall) throw err;
      this.hadError = true;
      return err as Error;
    }
    this.chunk = null;
    const consumed = this.offset - from;
    if (isHeadState(this.state)) {
      this.headerSize += consumed;
      if (this.headerSize > (this.maxHeaderSize || StockParser.maxHeaderSize)) return new Error('max header size exceeded');
    }
    return consumed;
  }

  /** One call of the current state's method; true = stop execute(). */
  private step(): boolean | void {
    switch (this.state) {
      case 'HEADER':
        return this.HEADER();
      case 'RESPONSE_LINE':
        return this.RESPONSE_LINE();
      case 'REQUEST_LINE':
        return this.REQUEST_LINE();
      case 'BODY_SIZED':
        return this.BODY_SIZED();
      default:
        return (this as unknown as Record<string, () => boolean | void>)[this.state]();
    }
  }

  /** Drops all parse state (after an error or a gap). */
  reset(): void {
    this.initialize(this.type);
  }

  /** True between messages with nothing of the next one consumed yet. */
  atMessageStart(): boolean {
    return (this.state === 'REQUEST_LINE' || this.state === 'RESPONSE_LINE') && this.line === '';
  }

  inHead(): boolean {
    return isHeadState(this.state);
  }

  /** Bytes still expected in the current body piece: a number, Infinity (read until close), or -1 (not in a body). */
  bodyRemaining(): number {
    const s = this.state;
    if (s === 'BODY_SIZED' || s === 'BODY_CHUNK') return this.body_bytes ?? -1;
    if (s === 'BODY_RAW') return Infinity;
    return -1;
  }

  /** Length of a partial line held across chunks (a line without LF grows here). */
  pendingLineLength(): number {
    return this.line.length;
  }

  /** Sets the body framing; only valid inside onHead. `length` null = read until close. */
  setFraming(chunked: boolean, length: number | null): void {
    this.isChunked = chunked;
    this.body_bytes = chunked ? null : length;
  }

  /**
   * Skips `n` missing body bytes (precondition: 0 < n <= bodyRemaining()). The last byte of a piece is
   * fed as a filler byte so the stock state machine moves on by itself; onBody sees it with gapFill set.
   */
  skipBody(n: number): Error | null {
    if (this.state === 'BODY_RAW') return null;
    const remaining = this.body_bytes as number;
    if (n < remaining) {
      this.body_bytes = remaining - n;
      return null;
    }
    this.body_bytes = 1;
    this.gapFill = true;
    const r = this.execute(ONE_BYTE, 0, 1);
    this.gapFill = false;
    return r instanceof Error ? r : null;
  }

  /** The request line (whole-head.ts first when at a message start), then the head's lines one by one. */
  REQUEST_LINE(): boolean | void {
    if (this.wholeHeads && this.line === '') {
      const r = readWholeHead(this);
      if (r !== WHOLE_NONE) return r === WHOLE_STOP;
    }
    const line = this.consumeLine();
    if (!line) return; // incomplete, or an empty line between messages (tolerated)
    requestLine(this, line);
  }

  /** The stock consumeLine, cheaper (stock-lines.ts readLine). */
  override consumeLine(): string | undefined {
    return readLine(this);
  }

  /** The stock RESPONSE_LINE, cheaper (whole-head.ts first when at a message start, else stock-lines.ts parseStatusLine). */
  override RESPONSE_LINE(): boolean | void {
    if (this.wholeHeads && this.line === '') {
      const r = readWholeHead(this);
      if (r !== WHOLE_NONE) return r === WHOLE_STOP;
    }
    const line = this.consumeLine();
    if (!line) return;
    const statusCode = parseStatusLine(line, this.info);
    if ((statusCode / 100 | 0) === 1 || statusCode === 204 || statusCode === 304) this.body_bytes = 0;
    this.state = 'HEADER';
  }

  /** The stock HEADER: a header line goes to parseHeader, the blank line ends the head (stock-lines.ts endOfHead). */
  override HEADER(): boolean | void {
    const line = this.consumeLine();
    if (line === undefined) return;
    if (line) {
      this.parseHeader(line, this.info.headers);
      return;
    }
    return endOfHead(this, this.info);
  }

  /** The stock nextRequest (message complete, then a fresh message) without the userCall closure. */
  override nextRequest(): void {
    this.isUserCall = true;
    this[K_ON_MESSAGE_COMPLETE]();
    this.isUserCall = false;
    this.reinitialize(this.type);
  }

  BODY_CHUNKHEAD(): void {
    const line = this.consumeLine();
    if (line === undefined) return;
    const m = CHUNK_SIZE_RE.exec(line);
    if (m === null) throw parseError('bad_chunk_size');
    this.body_bytes = parseInt(m[1], 16);
    this.state = this.body_bytes === 0 ? 'BODY_CHUNKTRAILERS' : 'BODY_CHUNK';
  }

  /** Header or trailer line: the common `name: value` split here (stock-lines.ts), the rest by the stock code. */
  override parseHeader(line: string, headers: string[]): void {
    if (!splitFieldLine(this, line, headers)) super.parseHeader(line, headers);
  }

  declare [K_ON_HEADERS]: (trailers: string[]) => void;
  declare [K_ON_HEADERS_COMPLETE]: (info: HeadInfo) => number;
  declare [K_ON_BODY]: (chunk: Buffer) => void;
  declare [K_ON_MESSAGE_COMPLETE]: () => void;
}

type Proto = MessageParser & Record<number, unknown>;
const proto = MessageParser.prototype as Proto;
// Compat mode 0.11: info.method is the method string (the stock mode maps it to an index of a fixed list).
(proto as unknown as { _compatMode0_11: boolean })._compatMode0_11 = true;

proto[K_ON_HEADERS_COMPLETE] = function onHeadersComplete(this: MessageParser, info: HeadInfo): number {
  try {
    return this.owner.onHead(this, info);
  } catch (err) {
    this.internalError = err;
    return 2;
  }
};
proto[K_ON_BODY] = function onBody(this: MessageParser, chunk: Buffer): void {
  try {
    this.owner.onBody(this, chunk);
  } catch (err) {
    this.internalError = err;
  }
};
proto[K_ON_HEADERS] = function onTrailers(this: MessageParser, trailers: string[]): void {
  try {
    this.owner.onTrailers(this, trailers);
  } catch (err) {
    this.internalError = err;
  }
};
proto[K_ON_MESSAGE_COMPLETE] = function onMessageComplete(this: MessageParser): void {
  try {
    this.owner.onMessageEnd(this);
  } catch (err) {
    this.internalError = err;
  }
};
