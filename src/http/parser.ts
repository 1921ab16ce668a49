/**
 * One HTTP/1.x message parser per direction: http-parser-js's HTTPParser with a few states replaced.
 *
 * Why a subclass: the stock parser accepts a negative or NaN chunk size (the read offset then moves
 * backwards), rejects methods outside its list and HTTP/0.9 request lines, resets maxHeaderSize after every
 * message and counts body bytes as header bytes. The overrides below are the only places that touch its
 * internals (http-parser-js ^0.5.10): `state`, `line`, `chunk`, `offset`, `end`, `isChunked`, `body_bytes`,
 * `info`, `isUserCall`, `hadError`, `headerSize`, `connection`.
 *
 * Replaced for correctness: REQUEST_LINE (any token method, HTTP/0.9, truncated versions), BODY_CHUNKHEAD
 * (strict hex sizes), reinitialize (keeps maxHeaderSize). Replaced for speed, with the stock results
 * unchanged (test/http/parser-stock-lines.test.ts compares them with the stock parser): execute (the state
 * method called through a switch, not a lookup by the state's name), consumeLine (LF found with
 * Buffer.indexOf instead of a byte loop, the CR of CRLF dropped before decoding instead of after),
 * parseHeader (a `name: value` line split at the first ':' without the stock regex; any other line, such as
 * obs-fold, a bare CR or a name with blanks, still goes through the stock code), RESPONSE_LINE (fixed-layout
 * check without a regex, the stock regex as the fallback), HEADER (the stock end of the head: framing,
 * Connection, upgrade, onHeadersComplete, body state; only candidate names lower-cased, no closure) and
 * nextRequest (no closure per message).
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
import { isKnownMethod } from './message-start.js';
import {
  endOfHead, FOLD_NONE, K_ON_BODY, K_ON_HEADERS, K_ON_HEADERS_COMPLETE, K_ON_MESSAGE_COMPLETE, parseStatusLine, readLine,
  splitFieldLine, type StockInternals,
} from './stock-lines.js';

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
  RESPONSE_LINE(): void;
  consumeLine(): string | undefined;
  userCall(): (ret?: unknown) => unknown;
  parseHeader(line: string, headers: string[]): void;
}

const Base = HTTPParser as unknown as new (type: string) => ParserInternals;
/** The stock class's static default (80 KiB), which its execute() uses when maxHeaderSize is 0. */
const StockParser = HTTPParser as unknown as { maxHeaderSize: number };

/**
 * Request line: token method, target, optional version (absent = HTTP/0.9 simple request). The target
 * may contain spaces (seen in the wild: `CONNECT host:25 / HTTP/1.0`); `GET HTTP/1.1` has an empty target.
 */
const REQUEST_LINE_RE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +(?:(.*?) +)?HTTP\/(\d)\.(\d) *$/;
/**
 * A request line whose version is truncated (`GET / HTTP/1.`, `GET / HTTP/`): accepted like Zeek does,
 * a missing major counts as 1, a missing minor as 0, and the message is flagged `parse_error` (bad_version).
 */
const TRUNCATED_VERSION_RE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +(?:(.*?) +)?HTTP\/(\d?)(?:\.(\d?))? *$/;
/** HTTP/0.9 simple request `METHOD target` (see MessageParser.simpleRequest for which are accepted). */
const SIMPLE_REQUEST_LINE_RE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +(\S+) *$/;
/** A header field line (`name:`), to tell header lines sent after a simple request line from a next request. */
const FIELD_LINE_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:/;
/** Bytes of the data following a simple request line looked at to see whether header lines follow. */
const FIELD_PROBE_BYTES = 256;
/** Chunk size: hex (leading zeros allowed, at most 13 significant digits = below 2^52), optional extensions. */
const CHUNK_SIZE_RE = /^0*([0-9A-Fa-f]{1,13})[ \t]*(?:;.*)?$/;
const HEAD_STATES: Readonly<Record<string, true>> = { REQUEST_LINE: true, RESPONSE_LINE: true, HEADER: true };
const ONE_BYTE = Buffer.alloc(1);


export function parseError(code: string): Error {
  const err = new Error(code) as Error & { code: string };
  err.code = code;
  return err;
}

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

  constructor(role: 0 | 1, owner: ParserOwner) {
    super(role === 0 ? 'REQUEST' : 'RESPONSE');
    this.owner = owner;
    this.role = role;
    this.gapFill = false;
    this.internalError = null;
    // The stock limit counts body bytes too; the owner enforces its own head limit.
    this.maxHeaderSize = Number.MAX_SAFE_INTEGER;
  }

  override initialize(type: string): void {
    super.initialize(type);
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
    if (HEAD_STATES[this.state] === true) {
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
    return HEAD_STATES[this.state] === true;
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

  REQUEST_LINE(): void {
    const line = this.consumeLine();
    if (!line) return; // incomplete, or an empty line between messages (tolerated)
    const info = this.info;
    this.body_bytes = 0;
    let m = REQUEST_LINE_RE.exec(line);
    if (m === null) {
      const simple = SIMPLE_REQUEST_LINE_RE.exec(line);
      if (simple !== null && this.simpleRequest(simple[1], simple[2])) return;
      m = TRUNCATED_VERSION_RE.exec(line);
      if (m === null) throw parseError('bad_request_line');
      this.badVersion = true;
    }
    info.method = m[1];
    info.url = m[2] ?? '';
    info.versionMajor = m[3] ? +m[3] : 1;
    info.versionMinor = m[4] ? +m[4] : 0;
    this.state = 'HEADER';
  }

  /**
   * HTTP/0.9 simple request: no header section, the request ends with its line. Exception (as in Zeek):
   * when the same data goes on with header field lines (`GET /HTTP/1.1` + `Host: h` + blank line, from
   * clients that botched the request line), those are parsed as the request's header section; the version
   * stays 0.9. Only the data of this execute() call is looked at, so header lines that arrive in a later
   * segment make a bad request line. A method outside the known list is accepted only in that case (with
   * header lines following and an origin-form target), so a stray text line such as `T /x` is not taken
   * for a request (Zeek does not log that one either). Returns false when the line is not accepted.
   */
  private simpleRequest(method: string, url: string): boolean {
    const chunk = this.chunk as Buffer;
    const probeEnd = Math.min(this.end, this.offset + FIELD_PROBE_BYTES);
    const fieldsFollow = this.offset < probeEnd && FIELD_LINE_RE.test(chunk.toString('latin1', this.offset, probeEnd));
    if (!isKnownMethod(method) && !(fieldsFollow && url.charCodeAt(0) === 0x2f)) return false;
    const info = this.info;
    info.method = method;
    info.url = url;
    info.versionMajor = 0;
    info.versionMinor = 9;
    if (fieldsFollow) {
      this.state = 'HEADER';
      return true;
    }
    this.userCall()(this[K_ON_HEADERS_COMPLETE](info));
    this.nextRequest();
    return true;
  }

  /** The stock consumeLine, cheaper (stock-lines.ts readLine). */
  override consumeLine(): string | undefined {
    return readLine(this);
  }

  /** The stock RESPONSE_LINE, cheaper (stock-lines.ts parseStatusLine). */
  override RESPONSE_LINE(): void {
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
