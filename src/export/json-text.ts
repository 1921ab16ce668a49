/**
 * JSON text of strings and header lists, byte-identical to JSON.stringify, for the per-exchange JSONL encoder
 * (exchange-record.ts). Most header names and values need no escaping: they are copied
 * between quotes after one regular-expression test, which costs about a third of JSON.stringify on the
 * nested arrays of a header list (measured on recorded traffic).
 */
import type { HeaderList } from '../http/types.js';

/** Characters JSON.stringify escapes or rewrites: quote, backslash, controls, and any surrogate (a lone one becomes \\udxxx). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify(s) for a string. */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** JSON.stringify(s) for a string or null. */
export function jsonStringOrNull(s: string | null): string {
  return s === null ? 'null' : jsonString(s);
}

/** JSON.stringify(headers) for a header list ([[name, value], ...]). */
export function jsonHeaderList(headers: HeaderList): string {
  if (headers.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    out += (i === 0 ? '[' : ',[') + jsonString(h[0]) + ',' + jsonString(h[1]) + ']';
  }
  return out + ']';
}
