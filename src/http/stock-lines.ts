/**
 * The stock http-parser-js steps that run on every line of a head, done cheaper with the same results:
 * reading a line (consumeLine), the status line (RESPONSE_LINE), a header line (parseHeader) and the end of
 * the head (the tail of the stock HEADER state). MessageParser (parser.ts) calls them from its overrides;
 * test/http/parser-stock-lines.test.ts runs both parsers side by side on every split of its cases. The
 * whole-head path (whole-head.ts) calls parseStatusLine and endOfHead too, and takes lines from a head
 * decoded at once exactly as readLine and splitFieldLine take them (or leaves them to these).
 *
 * They touch only the parser fields listed in StockLineState (http-parser-js ^0.5.10 internals). Text is
 * decoded as the stock parser decodes it ('ascii': Node clears the high bit of each byte), and every check
 * runs on that decoded text, so 0x8D counts as CR exactly as in the stock code.
 */
import { HTTPParser } from 'http-parser-js';
import type { HeadInfo } from './parser.js';

/** The stock parser's numeric callback slots (`HTTPParser.kOn*`). */
export const K_ON_HEADERS = 1;
export const K_ON_HEADERS_COMPLETE = 2;
export const K_ON_BODY = 3;
export const K_ON_MESSAGE_COMPLETE = 4;

/** Severity of obs-fold seen in the current head: none, in an ordinary field, in a framing field. */
export const FOLD_NONE = 0;
export const FOLD_PLAIN = 1;
export const FOLD_FRAMING = 2;

/** The stock parser's fields and methods these steps use (http-parser-js internals). */
export interface StockInternals {
  type: string;
  state: string;
  line: string;
  /** The buffer of the execute() call in progress. */
  chunk: Buffer | null;
  offset: number;
  end: number;
  isChunked: boolean;
  isUserCall: boolean;
  connection: string;
  body_bytes: number | null;
  shouldKeepAlive(): boolean;
  nextRequest(): void;
}

/** What the steps read and write: the stock internals, MessageParser's foldSeen and its head callback. */
export interface StockLineState extends StockInternals {
  foldSeen: number;
  [K_ON_HEADERS_COMPLETE]: (info: HeadInfo) => number;
}

/**
 * What the stock HEADER compares info.method with to flag a CONNECT request as upgrade: the index of
 * CONNECT in its method list (it becomes the string only when a caller sets the legacy `onHeadersComplete`
 * style properties, which nothing here does). info.method is the method string (compat mode 0.11), so as
 * in the stock code this never matches: CONNECT is handled by the stage, not flagged upgrade here.
 */
const STOCK_METHOD_CONNECT = (HTTPParser as unknown as { methods: string[] }).methods.indexOf('CONNECT');
/** The stock status line syntax; used only when the fixed-layout check does not match. */
const RESPONSE_LINE_RE = /^HTTP\/(\d)\.(\d) (\d{3}) ?(.*)$/;

/** An error as the stock parser makes it (message 'Parse Error', the HPE_ code in `code`). */
function stockParseError(code: string): Error {
  const err = new Error('Parse Error') as Error & { code: string };
  err.code = code;
  return err;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** `HTTP/d.d ddd` followed by nothing or by a reason without CR/LF: what the stock regex takes, by position. */
function isPlainStatusLine(line: string): boolean {
  const n = line.length;
  if (n < 12) return false;
  if (line.charCodeAt(0) !== 0x48 || line.charCodeAt(1) !== 0x54 || line.charCodeAt(2) !== 0x54) return false;
  if (line.charCodeAt(3) !== 0x50 || line.charCodeAt(4) !== 0x2f || line.charCodeAt(6) !== 0x2e) return false;
  if (!isDigit(line.charCodeAt(5)) || !isDigit(line.charCodeAt(7)) || line.charCodeAt(8) !== 0x20) return false;
  if (!isDigit(line.charCodeAt(9)) || !isDigit(line.charCodeAt(10)) || !isDigit(line.charCodeAt(11))) return false;
  return n === 12 || (line.indexOf('\r', 12) === -1 && line.indexOf('\n', 12) === -1);
}

/** Buffer text as the stock parser decodes it ('ascii'). */
function asciiSlice(b: Buffer, start: number, end: number): string {
  return (b as Buffer & { asciiSlice(s: number, e: number): string }).asciiSlice(start, end);
}

/**
 * The stock consumeLine with the same results: the next line of the chunk (LF excluded, one trailing CR
 * dropped), prefixed by the partial line held from earlier chunks; undefined (and the rest held in
 * `line`) when the chunk has no LF before `end`. The LF search may look past `end` (up to the buffer's
 * end, once per execute() call at most, since a miss consumes the rest); the stage passes whole buffers.
 */
export function readLine(p: StockLineState): string | undefined {
  const chunk = p.chunk as Buffer;
  const start = p.offset;
  const end = p.end;
  let lf = chunk.indexOf(0x0a, start);
  if (lf >= end) lf = -1;
  if (lf === -1) {
    p.line += asciiSlice(chunk, start, end);
    p.offset = end;
    return undefined;
  }
  p.offset = lf + 1;
  const held = p.line;
  if (held === '') {
    // ascii decoding clears the high bit: 0x8D also decodes to the CR the stock code strips.
    return lf > start && (chunk[lf - 1]! & 0x7f) === 0x0d ? asciiSlice(chunk, start, lf - 1) : asciiSlice(chunk, start, lf);
  }
  p.line = '';
  const line = held + asciiSlice(chunk, start, lf);
  return line.charCodeAt(line.length - 1) === 0x0d ? line.slice(0, -1) : line;
}

/**
 * Status line into `info`: the stock regex `HTTP/d.d ddd[ ]reason`, checked by position; a line the check
 * does not take goes through the stock regex itself (no match: HPE_INVALID_CONSTANT, as the stock state).
 * Returns the status code.
 */
export function parseStatusLine(line: string, info: HeadInfo): number {
  let statusCode: number;
  if (isPlainStatusLine(line)) {
    info.versionMajor = line.charCodeAt(5) - 0x30;
    info.versionMinor = line.charCodeAt(7) - 0x30;
    statusCode = (line.charCodeAt(9) - 0x30) * 100 + (line.charCodeAt(10) - 0x30) * 10 + (line.charCodeAt(11) - 0x30);
    info.statusMessage = line.length === 12 ? '' : line.slice(line.charCodeAt(12) === 0x20 ? 13 : 12);
  } else {
    const m = RESPONSE_LINE_RE.exec(line);
    if (m === null) throw stockParseError('HPE_INVALID_CONSTANT');
    info.versionMajor = +m[1]!;
    info.versionMinor = +m[2]!;
    statusCode = +m[3]!;
    info.statusMessage = m[4]!;
  }
  info.statusCode = statusCode;
  return statusCode;
}

/**
 * Header (or trailer) line to [name, value] when it is the common `name: value` line; the result is the
 * stock regex's (`^([^: \t]+):[ \t]*((?:.*[^ \t])|)`): name up to the first ':' without SP/HTAB, value
 * trimmed of SP/HTAB, possibly empty. Returns false for the lines the stock code must take: lines
 * starting with SP/HTAB (obs-fold: noted in foldSeen first, a fold of Content-Length or Transfer-Encoding
 * as FOLD_FRAMING), lines with a CR or (decoded) LF, without a ':' or with blanks in the name (the stock
 * code appends folds, ignores malformed lines and throws HPE_LF_EXPECTED on a CR).
 */
export function splitFieldLine(p: StockLineState, line: string, headers: string[]): boolean {
  const c = line.charCodeAt(0);
  if (c === 0x20 || c === 0x09) {
    if (headers.length >= 2) {
      const name = headers[headers.length - 2]!.toLowerCase();
      const level = name === 'transfer-encoding' || name === 'content-length' ? FOLD_FRAMING : FOLD_PLAIN;
      if (level > p.foldSeen) p.foldSeen = level;
    }
    return false;
  }
  const colon = line.indexOf(':');
  if (colon <= 0 || line.indexOf('\r') !== -1 || line.indexOf('\n') !== -1) return false;
  for (let i = 1; i < colon; i++) if (isBlank(line.charCodeAt(i))) return false;
  let vs = colon + 1;
  let ve = line.length;
  while (vs < ve && isBlank(line.charCodeAt(vs))) vs++;
  while (ve > vs && isBlank(line.charCodeAt(ve - 1))) ve--;
  headers.push(line.slice(0, colon), line.slice(vs, ve));
  return true;
}

/**
 * The stock end of the head, same results: framing from Transfer-Encoding (chunked wins over
 * Content-Length; differing duplicate Content-Length = HPE_UNEXPECTED_CONTENT_LENGTH), Connection, upgrade
 * (Upgrade + Connection: upgrade on a request or a 101), onHeadersComplete, then the body state. Unlike
 * the stock code it lower-cases only names of the length of one it looks for (names are 'ascii' text, so
 * lower-casing keeps their length) and calls onHeadersComplete without a closure. True: stop execute().
 */
export function endOfHead(p: StockLineState, info: HeadInfo): boolean | void {
  const headers = info.headers;
  let hasContentLength = false;
  let hasUpgradeHeader = false;
  for (let i = 0; i < headers.length; i += 2) {
    const n = headers[i]!.length;
    if (n !== 17 && n !== 14 && n !== 10 && n !== 7) continue;
    switch (headers[i]!.toLowerCase()) {
      case 'transfer-encoding':
        p.isChunked = headers[i + 1]!.toLowerCase() === 'chunked';
        break;
      case 'content-length': {
        const value = +headers[i + 1]!;
        if (hasContentLength) {
          if (value !== p.body_bytes) throw stockParseError('HPE_UNEXPECTED_CONTENT_LENGTH');
        } else {
          hasContentLength = true;
          p.body_bytes = value;
        }
        break;
      }
      case 'connection':
        p.connection += headers[i + 1]!.toLowerCase();
        break;
      case 'upgrade':
        hasUpgradeHeader = true;
        break;
    }
  }
  if (p.isChunked && hasContentLength) p.body_bytes = null;
  if (hasUpgradeHeader && p.connection.indexOf('upgrade') !== -1) {
    info.upgrade = p.type === 'REQUEST' || info.statusCode === 101;
  } else {
    info.upgrade = (info.method as unknown) === STOCK_METHOD_CONNECT;
  }
  if (p.isChunked && info.upgrade) p.isChunked = false;
  (info as HeadInfo & { shouldKeepAlive: boolean }).shouldKeepAlive = p.shouldKeepAlive();
  p.isUserCall = true;
  const skipBody = p[K_ON_HEADERS_COMPLETE](info);
  p.isUserCall = false;
  if (skipBody === 2) {
    p.nextRequest();
    return true;
  } else if (p.isChunked && !skipBody) {
    p.state = 'BODY_CHUNKHEAD';
  } else if (skipBody || p.body_bytes === 0) {
    p.nextRequest();
    return info.upgrade;
  } else if (p.body_bytes === null) {
    p.state = 'BODY_RAW';
  } else {
    p.state = 'BODY_SIZED';
  }
}
