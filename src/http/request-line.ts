/**
 * The request line into the head: `METHOD SP target SP HTTP/d.d` (REQUEST_LINE_RE, matchRequestLine; also
 * used by the whole-head path, whole-head.ts), else an HTTP/0.9 simple request or a truncated version
 * (requestLine, the per-line step of MessageParser.REQUEST_LINE). matchRequestLine checks the common layout
 * (one SP on each side of a target without SP) by position and gives exactly what the regex gives for it;
 * any other line goes through the regex.
 */
import { isKnownMethod } from './message-start.js';
import type { HeadInfo } from './parser.js';
import { K_ON_HEADERS_COMPLETE, type StockLineState } from './stock-lines.js';

/** An error of this parser's own checks (message and `code` both the reason). */
export function parseError(code: string): Error {
  const err = new Error(code) as Error & { code: string };
  err.code = code;
  return err;
}

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
/** HTTP/0.9 simple request `METHOD target` (see simpleRequest for which are accepted). */
const SIMPLE_REQUEST_LINE_RE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +(\S+) *$/;
/** A header field line (`name:`), to tell header lines sent after a simple request line from a next request. */
const FIELD_LINE_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:/;
/** Bytes of the data following a simple request line looked at to see whether header lines follow. */
const FIELD_PROBE_BYTES = 256;

/** What requestLine reads and writes: the per-line parser state, the head, MessageParser's badVersion. */
export interface RequestLineState extends StockLineState {
  info: HeadInfo;
  badVersion: boolean;
  userCall(): (ret?: unknown) => unknown;
}

/** tchar (RFC 9110 section 5.6.2) by character code below 128: the method characters of the regexes. */
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Index of the SP before the target when `line` is `METHOD SP target SP HTTP/d.d` with a token method and
 * a non-empty target holding no SP and no line terminator ('.' in the regex stops at CR, LF, U+2028,
 * U+2029), else -1. For such a line REQUEST_LINE_RE matches with the method before that SP, the target
 * between it and the SP 9 characters before the end, and the two digits.
 */
function plainLayout(line: string): number {
  const n = line.length;
  const v = n - 9; // the SP before HTTP/d.d
  if (v < 3) return -1;
  if (line.charCodeAt(v) !== 0x20 || line.charCodeAt(v + 1) !== 0x48 || line.charCodeAt(v + 2) !== 0x54) return -1;
  if (line.charCodeAt(v + 3) !== 0x54 || line.charCodeAt(v + 4) !== 0x50 || line.charCodeAt(v + 5) !== 0x2f) return -1;
  if (!isDigit(line.charCodeAt(v + 6)) || line.charCodeAt(v + 7) !== 0x2e || !isDigit(line.charCodeAt(v + 8))) return -1;
  let sp = 0;
  for (let c = line.charCodeAt(0); c < 128 && TOKEN[c] === 1; c = line.charCodeAt(++sp));
  if (sp === 0 || sp >= v - 1 || line.charCodeAt(sp) !== 0x20) return -1;
  for (let i = sp + 1; i < v; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x20 || c === 0x0d || c === 0x0a || c === 0x2028 || c === 0x2029) return -1;
  }
  return sp;
}

/**
 * Fills method, url and version of `info` when REQUEST_LINE_RE matches `line` (what it captures, a
 * missing target as ''); returns false and leaves `info` as it was otherwise.
 */
export function matchRequestLine(line: string, info: HeadInfo): boolean {
  const sp = plainLayout(line);
  if (sp > 0) {
    const n = line.length;
    info.method = line.slice(0, sp);
    info.url = line.slice(sp + 1, n - 9);
    info.versionMajor = line.charCodeAt(n - 3) - 0x30;
    info.versionMinor = line.charCodeAt(n - 1) - 0x30;
    return true;
  }
  const m = REQUEST_LINE_RE.exec(line);
  if (m === null) return false;
  info.method = m[1]!;
  info.url = m[2] ?? '';
  info.versionMajor = +m[3]!;
  info.versionMinor = +m[4]!;
  return true;
}

/**
 * The request line `line` (read; p.offset just after it) into p.info: a full request line, an HTTP/0.9
 * simple request, or a truncated version (flagged in p.badVersion); then the header lines follow (HEADER),
 * or for a simple request without them the message is complete. Throws bad_request_line for anything else.
 */
export function requestLine(p: RequestLineState, line: string): void {
  const info = p.info;
  p.body_bytes = 0;
  if (!matchRequestLine(line, info)) {
    const simple = SIMPLE_REQUEST_LINE_RE.exec(line);
    if (simple !== null && simpleRequest(p, simple[1]!, simple[2]!)) return;
    const m = TRUNCATED_VERSION_RE.exec(line);
    if (m === null) throw parseError('bad_request_line');
    p.badVersion = true;
    info.method = m[1]!;
    info.url = m[2] ?? '';
    info.versionMajor = m[3] ? +m[3] : 1;
    info.versionMinor = m[4] ? +m[4] : 0;
  }
  p.state = 'HEADER';
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
function simpleRequest(p: RequestLineState, method: string, url: string): boolean {
  const chunk = p.chunk as Buffer;
  const probeEnd = Math.min(p.end, p.offset + FIELD_PROBE_BYTES);
  const fieldsFollow = p.offset < probeEnd && FIELD_LINE_RE.test(chunk.toString('latin1', p.offset, probeEnd));
  if (!isKnownMethod(method) && !(fieldsFollow && url.charCodeAt(0) === 0x2f)) return false;
  const info = p.info;
  info.method = method;
  info.url = url;
  info.versionMajor = 0;
  info.versionMinor = 9;
  if (fieldsFollow) {
    p.state = 'HEADER';
    return true;
  }
  p.userCall()(p[K_ON_HEADERS_COMPLETE](info));
  p.nextRequest();
  return true;
}
