/**
 * Header and trailer field lines, and chunk-size lines, read from the bytes of one line (LF and one CR
 * before it excluded; a line held across calls is handed over joined into one buffer).
 *  - `name: value` (fieldBytes, the fast path): the name up to the first ':' (no SP/HTAB/CR/LF in it), the
 *    value trimmed of SP/HTAB, possibly empty (what http-parser-js's `^([^: \t]+):[ \t]*((?:.*[^ \t])|)`
 *    gives for such a line). A control byte other than HTAB is kept and reported (QUIRK_CONTROL_BYTE).
 *  - other lines (fieldOther): a CR inside is `bare_cr` for a request (also in a fold line), kept in the
 *    value for a response (QUIRK_BARE_CR); obs-fold is appended to the previous value with one SP; a line
 *    without a name or without ':' is `bad_field` for a request (a server answers 400; reading on would
 *    take a chunked body for request lines), ignored for a response (QUIRK_FIELD_WITHOUT_COLON); blanks
 *    between name and colon are `bad_field` for a request, trimmed for a response (QUIRK_SPACE_BEFORE_COLON:
 *    Chromium reads the field).
 * Text is 'ascii' decoded (Node clears the high bit: 0x8D reads as CR, 0xBA as ':'); a name's bytes are
 * checked with the high bit cleared (0xBA ends a name, as http-parser-js read it), a value's and the CR / control
 * checks look at the bytes as sent (0x8D in a value is not a CR: no client reads it as one).
 */
import {
  QUIRK_BARE_CR, QUIRK_CHUNK_SIZE_BLANK, QUIRK_CHUNK_SIZE_JUNK, QUIRK_CONTROL_BYTE, QUIRK_FIELD_WITHOUT_COLON, QUIRK_OBS_FOLD,
  QUIRK_SPACE_BEFORE_COLON,
} from '../quirks.js';

/** Severity of obs-fold seen in the current head: none, in an ordinary field, in a framing field. */
export const FOLD_NONE = 0;
export const FOLD_PLAIN = 1;
export const FOLD_FRAMING = 2;

/** fieldOther's results for a request line holding a CR (`bare_cr`), or not a field (`bad_field`). */
export const FIELD_BARE_CR = -1;
export const FIELD_BAD = -2;
/** chunkSize results besides a size: not a chunk size; a blank line where a size was expected. */
export const CHUNK_BAD = -1;
export const CHUNK_BLANK_LINE = -2;

const BLANK_RE = /[ \t]/;
const FOLD_RE = /^[ \t]+([^]*[^ \t])/; // [^]: a bare CR is kept in a response's fold

/** Buffer text decoded as 'ascii' (the high bit of each byte cleared). */
export function asciiSlice(b: Buffer, start: number, end: number): string {
  return (b as Buffer & { asciiSlice(s: number, e: number): string }).asciiSlice(start, end);
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * Fold level a line starting with SP/HTAB gives, from the name of the field it continues. A response's
 * fold is never FOLD_FRAMING: clients join it (`Content-Length:` + ` 12` is read as 12).
 */
export function foldLevel(headers: string[], response = false): number {
  if (headers.length < 2) return FOLD_NONE;
  if (response) return FOLD_PLAIN;
  const name = headers[headers.length - 2]!.toLowerCase();
  return name === 'transfer-encoding' || name === 'content-length' ? FOLD_FRAMING : FOLD_PLAIN;
}

/** True when b[start, end) holds a NUL byte (as sent: 0x80 is not a NUL). */
export function hasZero(b: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] === 0) return true;
  return false;
}

/** In b[start, end) (the bytes as sent): QUIRK_BARE_CR for a CR, QUIRK_CONTROL_BYTE for another byte below 0x20 but HTAB. */
function controlBytes(b: Buffer, start: number, end: number): number {
  let quirks = 0;
  for (let i = start; i < end; i++) {
    const r = b[i]!;
    if (r < 0x20 && r !== 0x09) quirks |= r === 0x0d ? QUIRK_BARE_CR : QUIRK_CONTROL_BYTE;
  }
  return quirks;
}

/**
 * The common `name: value` line in b[start, end): pushed, and its quirk bits returned (0 or
 * QUIRK_CONTROL_BYTE), or -1 (nothing pushed) for any other line, which then goes through fieldOther.
 */
export function fieldBytes(b: Buffer, start: number, end: number, headers: string[]): number {
  let quirks = 0;
  let colon = start;
  for (; colon < end; colon++) {
    const c = b[colon]! & 0x7f;
    if (c === 0x3a) break;
    if (c <= 0x20) {
      if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) return -1;
      quirks = QUIRK_CONTROL_BYTE;
    }
  }
  if (colon === start || colon === end) return -1;
  let vs = colon + 1;
  let ve = end;
  for (let i = vs; i < end; i++) {
    const r = b[i]!;
    if (r < 0x20 && r !== 0x09) {
      if (r === 0x0d || r === 0x0a) return -1;
      quirks = QUIRK_CONTROL_BYTE;
    }
  }
  while (vs < ve && isBlank(b[vs]! & 0x7f)) vs++;
  while (ve > vs && isBlank(b[ve - 1]! & 0x7f)) ve--;
  headers.push(asciiSlice(b, start, colon), asciiSlice(b, vs, ve));
  return quirks;
}

/**
 * A field line fieldBytes did not take (not empty): its quirk bits (QUIRK_*), or FIELD_BARE_CR /
 * FIELD_BAD for a request line holding a CR / that is not a field. `response`: the lenient rules of the file comment.
 */
export function fieldOther(b: Buffer, start: number, end: number, headers: string[], response: boolean): number {
  const line = asciiSlice(b, start, end);
  let quirks = controlBytes(b, start, end);
  if ((quirks & QUIRK_BARE_CR) !== 0 && !response) return FIELD_BARE_CR;
  if (isBlank(line.charCodeAt(0))) {
    const fold = FOLD_RE.exec(line);
    if (fold !== null && headers.length > 0) {
      const last = headers.length - 1;
      headers[last] = headers[last] ? `${headers[last]} ${fold[1]!}` : fold[1]!;
    }
    return QUIRK_OBS_FOLD | quirks;
  }
  const colon = line.indexOf(':');
  if (colon <= 0) return response ? quirks | QUIRK_FIELD_WITHOUT_COLON : FIELD_BAD; // no name: ignored
  let ne = colon;
  while (ne > 0 && isBlank(line.charCodeAt(ne - 1))) ne--;
  if (ne < colon) {
    if (!response) return FIELD_BAD; // `Name :` in a request
    quirks |= QUIRK_SPACE_BEFORE_COLON;
  }
  const name = line.slice(0, ne);
  if (BLANK_RE.test(name)) return quirks; // a name with blanks inside: ignored
  let vs = colon + 1;
  let ve = line.length;
  while (vs < ve && isBlank(line.charCodeAt(vs))) vs++;
  while (ve > vs && isBlank(line.charCodeAt(ve - 1))) ve--;
  headers.push(name, line.slice(vs, ve));
  return quirks;
}

/** Most significant hex digits of a chunk size (13: below 2^52, a safe integer). */
const MAX_CHUNK_DIGITS = 13;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** The value of the last hexRun (-1: more than MAX_CHUNK_DIGITS significant digits). Read right after the call. */
let hexSize = 0;

/** Reads hex digits from b[i]: returns the index after them, their value in hexSize. */
function hexRun(b: Buffer, i: number, end: number): number {
  let size = 0;
  let digits = 0;
  for (; i < end; i++) {
    const h = hexValue(b[i]! & 0x7f);
    if (h < 0) break;
    if (digits > 0 || h > 0) {
      if (++digits > MAX_CHUNK_DIGITS) size = -Infinity;
      size = size * 16 + h;
    }
  }
  hexSize = size < 0 ? -1 : size;
  return i;
}

function hasCr(b: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((b[i]! & 0x7f) === 0x0d) return true;
  return false;
}

/**
 * Chunk-size line b[start, end), strict form: hex (leading zeros allowed, at most 13 significant digits),
 * then nothing, or a `;` extension without CR (ignored). The size, or CHUNK_BAD (blanks: chunkSizeLenient).
 */
export function chunkSize(b: Buffer, start: number, end: number): number {
  const i = hexRun(b, start, end);
  const size = hexSize;
  if (i === start || size < 0) return CHUNK_BAD;
  if (i === end) return size;
  if ((b[i]! & 0x7f) !== 0x3b || hasCr(b, i, end)) return CHUNK_BAD;
  return size;
}

/**
 * A chunk-size line chunkSize refused. Request: blanks after the size, alone or before `;` (QUIRK_CHUNK_SIZE_BLANK: RFC 9112 allows BWS before `;`, llhttp refuses it). Response,
 * as the most lenient clients read it: blanks before the size (Python's int()), a blank line
 * (CHUNK_BLANK_LINE, skipped as libhtp does), and after the hex digits anything up to the LF (curl reads it
 * as an extension: QUIRK_CHUNK_SIZE_JUNK). The size or CHUNK_BLANK_LINE (bits or-ed into out.quirks), or CHUNK_BAD.
 */
export function chunkSizeLenient(b: Buffer, start: number, end: number, response: boolean, out: { quirks: number }): number {
  let i = start;
  if (response) while (i < end && isBlank(b[i]! & 0x7f)) i++;
  if (i === end) return response ? CHUNK_BLANK_LINE : CHUNK_BAD;
  let quirks = i > start ? QUIRK_CHUNK_SIZE_BLANK : 0;
  const first = i;
  i = hexRun(b, i, end);
  const size = hexSize;
  if (i === first || size < 0) return CHUNK_BAD;
  let j = i;
  while (j < end && isBlank(b[j]! & 0x7f)) j++;
  if (j === end || (j > i && (b[j]! & 0x7f) === 0x3b && !hasCr(b, j, end))) quirks |= QUIRK_CHUNK_SIZE_BLANK; // `5 `, `5 ;x`
  else if (!response) return CHUNK_BAD;
  else quirks |= QUIRK_CHUNK_SIZE_JUNK; // junk, or an extension holding a CR
  out.quirks |= quirks;
  return size;
}
