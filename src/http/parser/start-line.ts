/**
 * Start lines: the request line (`METHOD SP target SP HTTP/d.d`, an HTTP/0.9 simple request, a truncated
 * version) and the status line (`HTTP/d.d ddd[ reason]`). The common layouts are checked by position; the
 * regexes below run only for lines that layout check does not take. Lines arrive decoded as 'ascii' text
 * (Node clears the high bit), without their LF and without one trailing CR.
 */
import { isKnownMethod } from '../message-start.js';
import { asciiSlice } from './field-line.js';
import type { HeadInfo } from './types.js';

/** requestLine results: not a request line, a head follows (header fields), a simple request (no fields). */
export const LINE_BAD = 0;
export const LINE_HEAD = 1;
export const LINE_SIMPLE = 2;

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
/**
 * A status line in a form the fixed-layout check does not take, as lenient clients read it: blanks before
 * it and runs of SP/HTAB between its parts (Python's split()), `http/` in any case (Chromium), a version of
 * several digits (`HTTP/1.10`, Python), no SP after the code, any bytes in the reason.
 */
const LENIENT_STATUS_LINE_RE = /^[ \t]*HTTP\/(\d{1,3})\.(\d{1,3})[ \t]+(\d{3})[ \t]*([^]*)$/i;

/** statusLine results: not a status line, the plain form, a lenient form (QUIRK_STATUS_LINE). */
export const STATUS_BAD = 0;
export const STATUS_PLAIN = 1;
export const STATUS_LENIENT = 2;


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

/** Fills method, url and version of `info` when REQUEST_LINE_RE matches `line`; false (info unchanged) otherwise. */
function matchRequestLine(line: string, info: HeadInfo): boolean {
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
 * The request line into `info`: a full request line, a truncated version (`out.badVersion` set) or an HTTP/0.9
 * simple request. rest[from, end) is the data after the line in the same execute() call (the HTTP/0.9 probe).
 * Returns LINE_BAD (info unchanged), LINE_HEAD (header fields follow) or LINE_SIMPLE.
 */
export function requestLine(line: string, info: HeadInfo, rest: Buffer, from: number, end: number, out: { badVersion: boolean }): number {
  if (matchRequestLine(line, info)) return LINE_HEAD;
  const simple = SIMPLE_REQUEST_LINE_RE.exec(line);
  if (simple !== null) {
    const r = simpleRequest(simple[1]!, simple[2]!, info, rest, from, end);
    if (r !== LINE_BAD) return r;
  }
  const m = TRUNCATED_VERSION_RE.exec(line);
  if (m === null) return LINE_BAD;
  out.badVersion = true;
  info.method = m[1]!;
  info.url = m[2] ?? '';
  info.versionMajor = m[3] ? +m[3] : 1;
  info.versionMinor = m[4] ? +m[4] : 0;
  return LINE_HEAD;
}

/**
 * HTTP/0.9 simple request: no header section, the request ends with its line. Exception (as in Zeek):
 * when the same data goes on with header field lines (`GET /HTTP/1.1` + `Host: h` + blank line, from
 * clients that botched the request line), those are parsed as the request's header section; the version
 * stays 0.9. Only the data of this execute() call is looked at, so header lines that arrive in a later
 * segment make a bad request line. A method outside the known list is accepted only in that case (with
 * header lines following and an origin-form target), so a stray text line such as `T /x` is not taken
 * for a request (Zeek does not log that one either).
 */
function simpleRequest(method: string, url: string, info: HeadInfo, rest: Buffer, from: number, end: number): number {
  const probeEnd = Math.min(end, from + FIELD_PROBE_BYTES);
  const fieldsFollow = from < probeEnd && FIELD_LINE_RE.test(asciiSlice(rest, from, probeEnd));
  if (!isKnownMethod(method) && !(fieldsFollow && url.charCodeAt(0) === 0x2f)) return LINE_BAD;
  info.method = method;
  info.url = url;
  info.versionMajor = 0;
  info.versionMinor = 9;
  return fieldsFollow ? LINE_HEAD : LINE_SIMPLE;
}

/** `HTTP/1.x ddd SP` and a reason without control bytes other than HTAB (RFC 9112's form), by position. */
function isPlainStatusLine(line: string): boolean {
  const n = line.length;
  if (n < 13 || line.charCodeAt(12) !== 0x20 || line.charCodeAt(5) !== 0x31) return false;
  if (line.charCodeAt(0) !== 0x48 || line.charCodeAt(1) !== 0x54 || line.charCodeAt(2) !== 0x54) return false;
  if (line.charCodeAt(3) !== 0x50 || line.charCodeAt(4) !== 0x2f || line.charCodeAt(6) !== 0x2e) return false;
  const minor = line.charCodeAt(7);
  if ((minor !== 0x30 && minor !== 0x31) || line.charCodeAt(8) !== 0x20) return false;
  if (!isDigit(line.charCodeAt(9)) || !isDigit(line.charCodeAt(10)) || !isDigit(line.charCodeAt(11))) return false;
  for (let i = 12; i < n; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x20 && c !== 0x09) return false;
  }
  return true;
}

/** Status line into `info`: STATUS_PLAIN, STATUS_LENIENT, or STATUS_BAD (`bad_status_line`, info unchanged). */
export function statusLine(line: string, info: HeadInfo): number {
  if (isPlainStatusLine(line)) {
    info.versionMajor = line.charCodeAt(5) - 0x30;
    info.versionMinor = line.charCodeAt(7) - 0x30;
    info.statusCode = (line.charCodeAt(9) - 0x30) * 100 + (line.charCodeAt(10) - 0x30) * 10 + (line.charCodeAt(11) - 0x30);
    info.statusMessage = line.slice(13);
    return STATUS_PLAIN;
  }
  const m = LENIENT_STATUS_LINE_RE.exec(line);
  if (m === null) return STATUS_BAD;
  info.versionMajor = +m[1]!;
  info.versionMinor = +m[2]!;
  info.statusCode = +m[3]!;
  info.statusMessage = m[4] ?? '';
  return STATUS_LENIENT;
}

/** The start of a status line (`HTTP/`, any case, after blanks and line ends) in b[start, end), as far as it goes. */
export function mayBeStatusLine(b: Buffer, start: number, end: number): boolean {
  let i = start;
  for (let c = b[i]; i < end && (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a); c = b[++i]);
  for (let k = 0; k < 5 && i < end; k++, i++) if (((b[i]! & 0x7f) | (k < 4 ? 0x20 : 0)) !== STATUS_PREFIX[k]) return false;
  return true;
}

const STATUS_PREFIX = [0x68, 0x74, 0x74, 0x70, 0x2f]; // "http/" (the first four compared lower-cased)
