/**
 * Redaction of named fields anywhere in a JSON body, done on the bytes by a small tolerant scanner
 * rather than JSON.parse + stringify, so that:
 *  - every byte outside a redacted value is kept exactly (formatting, key order, big numbers that
 *    would lose precision through a JS number);
 *  - a truncated body (cut at --max-http-length) is still redacted up to where it was cut; a value
 *    cut off mid-way is hidden up to the end;
 *  - malformed input never throws: the scan goes on byte by byte.
 *
 * A "key" is a string followed (after whitespace) by ':'. When its name, normalised (lower case, '-'
 * and '_' removed), is in the field set, its whole value (string, number, literal, object or array)
 * becomes the JSON string "[REDACTED:<fingerprint of the raw value bytes>]". JSON syntax is ASCII and
 * UTF-8 multi-byte sequences never contain ASCII bytes, so scanning bytes is safe for UTF-8 text.
 */
import type { Fingerprinter } from './fingerprint.js';
import { normaliseFieldName } from './sensitive-names.js';

/** Keys longer than this (bytes, as escaped) are never compared: no field name is that long. */
export const MAX_JSON_KEY_BYTES = 256;

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** JSON whitespace (RFC 8259): space, tab, LF, CR. */
export function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function skipWs(b: Buffer, i: number): number {
  while (i < b.length && isWs(b[i])) i++;
  return i;
}

/** `i` at an opening quote; returns the index of the closing quote, or -1 if the string is cut off. */
function closingQuote(b: Buffer, i: number): number {
  let k = i + 1;
  while (k < b.length) {
    const c = b[k];
    if (c === BACKSLASH) k += 2;
    else if (c === QUOTE) return k;
    else k++;
  }
  return -1;
}

/** `i` at an opening quote; returns the index after the closing quote, or b.length if unterminated. */
function scanString(b: Buffer, i: number): number {
  const q = closingQuote(b, i);
  return q < 0 ? b.length : q + 1;
}

/** `s` at the first byte of a value; returns the index after it (b.length if cut off). */
function scanValue(b: Buffer, s: number): number {
  const c = b[s];
  if (c === QUOTE) return scanString(b, s);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    let k = s;
    while (k < b.length) {
      const ch = b[k];
      if (ch === QUOTE) {
        k = scanString(b, k);
        continue;
      }
      if (ch === OPEN_BRACE || ch === OPEN_BRACKET) depth++;
      else if (ch === CLOSE_BRACE || ch === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return k + 1;
      }
      k++;
    }
    return b.length;
  }
  let k = s;
  while (k < b.length) {
    const ch = b[k];
    if (ch === COMMA || ch === CLOSE_BRACE || ch === CLOSE_BRACKET || isWs(ch)) break;
    k++;
  }
  return k;
}

/**
 * The normalised name (see normaliseFieldName) of the raw key bytes body[start, end). Plain ASCII
 * keys are normalised straight from the bytes; keys with escapes or non-ASCII bytes are decoded
 * first. Returns '' for keys whose escapes are invalid (never a field name).
 */
function normalisedKey(body: Buffer, start: number, end: number): string {
  let out = '';
  for (let k = start; k < end; k++) {
    const c = body[k];
    if (c === BACKSLASH || c >= 0x80) {
      try {
        return normaliseFieldName(JSON.parse('"' + body.toString('utf8', start, end) + '"') as string);
      } catch {
        return '';
      }
    }
    if (c === 0x2d /* - */ || c === 0x5f /* _ */) continue;
    out += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 32 : c);
  }
  return out;
}

export interface JsonRedaction {
  bytes: Buffer;
  /** Number of values hidden. */
  fields: number;
}

/**
 * Hides the values of fields whose normalised names are in `fields`. Returns null when nothing was
 * hidden (the caller keeps the original buffer). `body` is read only; the result is a new buffer.
 */
export function redactJsonFields(body: Buffer, fields: ReadonlySet<string>, fp: Fingerprinter): JsonRedaction | null {
  const pieces: Buffer[] = [];
  let copiedUpTo = 0;
  let count = 0;
  let i = 0;
  while (i < body.length) {
    i = body.indexOf(QUOTE, i);
    if (i < 0) break;
    const end = scanString(body, i);
    const afterKey = skipWs(body, end);
    if (afterKey >= body.length || body[afterKey] !== COLON || end - i - 2 > MAX_JSON_KEY_BYTES) {
      i = end;
      continue;
    }
    const valueStart = skipWs(body, afterKey + 1);
    if (valueStart >= body.length || !fields.has(normalisedKey(body, i + 1, end - 1))) {
      i = afterKey + 1;
      continue;
    }
    let valueEnd: number;
    let secret: Buffer;
    if (body[valueStart] === QUOTE) {
      const q = closingQuote(body, valueStart);
      valueEnd = q < 0 ? body.length : q + 1;
      secret = body.subarray(valueStart + 1, q < 0 ? body.length : q);
    } else {
      valueEnd = scanValue(body, valueStart);
      secret = body.subarray(valueStart, valueEnd);
    }
    pieces.push(body.subarray(copiedUpTo, valueStart), Buffer.from(JSON.stringify(fp.marker(secret)), 'utf8'));
    copiedUpTo = valueEnd;
    count++;
    i = valueEnd;
  }
  if (count === 0) return null;
  pieces.push(body.subarray(copiedUpTo));
  return { bytes: Buffer.concat(pieces), fields: count };
}

/** True when the body should be treated as JSON: a JSON Content-Type, or text starting with { or [. */
export function looksLikeJson(contentType: string | null, body: Buffer): boolean {
  if (contentType !== null && contentType.toLowerCase().includes('json')) return true;
  let i = 0;
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) i = 3; // UTF-8 BOM
  i = skipWs(body, i);
  return i < body.length && (body[i] === OPEN_BRACE || body[i] === OPEN_BRACKET);
}
