/**
 * Message framing (RFC 9112 section 6) decided from a parsed head: the one place the stage decides it (the
 * parser, parser/message-parser.ts, is told the result through setFraming). Requests are strict: conflicting
 * or malformed length information is an error (a request-smuggling vector), reported by reason. Responses
 * are read as the most lenient mainstream client reads them (docs/http.md, "Leniency"): Transfer-Encoding
 * with Content-Length, chunked not last or combined, a Transfer-Encoding without chunked; each such choice
 * sets a quirk bit (quirks.ts) in `Framing.quirks`.
 */
import { contentEncodingQuirks } from './decoder.js';
import {
  QUIRK_CL_CONFLICT, QUIRK_CL_PLUS_SIGN, QUIRK_CL_REPEATED, QUIRK_TE_CHUNKED_NOT_LAST, QUIRK_TE_LIST, QUIRK_TE_NOT_CHUNKED,
  QUIRK_TE_WITH_CL,
} from './quirks.js';

export const FRAME_NONE = 0;
export const FRAME_SIZED = 1;
export const FRAME_CHUNKED = 2;
export const FRAME_UNTIL_CLOSE = 3;

/** Result holder, reused per connection (no allocation per message). */
export interface Framing {
  kind: number;
  /** Body length for FRAME_SIZED. */
  length: number;
  /** Error reason (counter suffix) or null. */
  error: string | null;
  /**
   * The codings to decode, lower-cased, in the order applied: the Content-Encoding values, then for a
   * response the Transfer-Encoding codings other than chunked (curl decodes a TE gzip), or null.
   */
  contentEncoding: string | null;
  /** An Upgrade field and a Connection field whose value contains `upgrade` (any case): the client asks to switch. */
  upgrade: boolean;
  /** Quirk bits (quirks.ts) of the framing fields: repeated Content-Length, TE with CL, TE lists, CE lists. */
  quirks: number;
}

export function newFraming(): Framing {
  return { kind: FRAME_NONE, length: 0, error: null, contentEncoding: null, upgrade: false, quirks: 0 };
}

const DIGITS_RE = /^[0-9]+$/;
/** `upgrade` anywhere in a Connection value, in any case (no lower-cased copy). */
const UPGRADE_RE = /upgrade/i;

/**
 * Reads Content-Length, Transfer-Encoding and Content-Encoding from a flat header list into `out`.
 * `isRequest`: a request without length information has no body; a response has one until close.
 */
export function decideFraming(headers: string[], isRequest: boolean, out: Framing): Framing {
  out.kind = FRAME_NONE;
  out.length = 0;
  out.error = null;
  out.contentEncoding = null;
  out.upgrade = false;
  out.quirks = 0;
  let contentLength = -1;
  let te: string | null = null;
  let upgradeField = false;
  let connectionUpgrade = false;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i];
    const n = name.length;
    if (n !== 14 && n !== 17 && n !== 16 && n !== 10 && n !== 7) continue;
    // 7 and 10 letters are also User-Agent, Referer, Expires, Set-Cookie...: lower-case only u(pgrade), c(onnection)
    const c0 = name.charCodeAt(0) | 0x20;
    if ((n === 7 && c0 !== 0x75) || (n === 10 && c0 !== 0x63)) continue;
    const lower = name.toLowerCase();
    if (lower === 'upgrade') upgradeField = true;
    else if (lower === 'connection') {
      if (!connectionUpgrade && UPGRADE_RE.test(headers[i + 1])) connectionUpgrade = true;
    } else if (lower === 'content-length') {
      const value = headers[i + 1];
      let cl = digitsValue(value);
      if (cl < 0) {
        cl = parseContentLength(value);
        if (cl >= 0) {
          if (value.indexOf(',') !== -1) out.quirks |= QUIRK_CL_REPEATED; // `5, 5` (not 16+ digits, RFC-valid)
        } else if (!isRequest && value.charCodeAt(0) === 0x2b && (cl = digitsValue(value.slice(1))) >= 0) out.quirks |= QUIRK_CL_PLUS_SIGN;
        else {
          out.error = 'bad_content_length';
          return out;
        }
      }
      if (contentLength >= 0) {
        if (cl === contentLength) out.quirks |= QUIRK_CL_REPEATED;
        else if (isRequest) {
          out.error = 'conflicting_content_length';
          return out;
        } else out.quirks |= QUIRK_CL_CONFLICT; // a response: the last value, as curl reads it
      }
      contentLength = cl;
    } else if (lower === 'transfer-encoding') {
      te = te === null ? headers[i + 1] : `${te},${headers[i + 1]}`;
    } else if (lower === 'content-encoding') {
      const v = headers[i + 1].trim().toLowerCase();
      out.quirks |= contentEncodingQuirks(v);
      out.contentEncoding = out.contentEncoding === null ? v : `${out.contentEncoding},${v}`;
    }
  }
  out.upgrade = upgradeField && connectionUpgrade;
  if (te !== null) {
    if (contentLength >= 0 && isRequest) {
      out.error = 'te_and_content_length';
      return out;
    }
    const lower = te.toLowerCase();
    if (lower === 'chunked') {
      if (contentLength >= 0) out.quirks |= QUIRK_TE_WITH_CL;
      out.kind = FRAME_CHUNKED;
      return out;
    }
    if (!transferCodings(lower, isRequest, out)) return out;
    if (out.kind === FRAME_CHUNKED) {
      if (contentLength >= 0) out.quirks |= QUIRK_TE_WITH_CL;
      return out;
    }
    // A response whose Transfer-Encoding has no chunked: Content-Length when sent (Chromium, curl and
    // Python read it), else until close; the codings are not decoded (no client does by default).
    out.quirks |= contentLength >= 0 ? QUIRK_TE_NOT_CHUNKED | QUIRK_TE_WITH_CL : QUIRK_TE_NOT_CHUNKED;
    if (contentLength < 0) {
      out.kind = FRAME_UNTIL_CLOSE;
      return out;
    }
  }
  if (contentLength > 0) {
    out.kind = FRAME_SIZED;
    out.length = contentLength;
  } else if (contentLength < 0 && !isRequest) {
    out.kind = FRAME_UNTIL_CLOSE;
  }
  return out;
}

/**
 * A Transfer-Encoding list other than exactly `chunked` (lower-cased): sets out.kind to FRAME_CHUNKED, or
 * out.error (requests only; false returned). A request must end with its only chunked.
 * A response is chunked when chunked appears anywhere (as Chromium reads it), flagged when chunked is not
 * last (`chunked, identity`: llhttp reads until close), repeated or combined with other codings
 * (`gzip, chunked`: Python's http.client de-chunks only exactly `chunked`). Without chunked it is left
 * FRAME_NONE for the caller. A response's codings other than chunked and identity are appended to
 * out.contentEncoding.
 */
function transferCodings(te: string, isRequest: boolean, out: Framing): boolean {
  const codings = te.split(',');
  let chunked = 0;
  let others = 0;
  let last = '';
  for (let i = 0; i < codings.length; i++) {
    const c = codings[i]!.trim();
    if (c === '') continue;
    if (c === 'chunked') chunked++;
    else {
      others++;
      if (!isRequest && c !== 'identity') out.contentEncoding = out.contentEncoding === null ? c : `${out.contentEncoding},${c}`;
    }
    last = c;
  }
  if (isRequest) {
    if (chunked === 1 && last === 'chunked') out.kind = FRAME_CHUNKED;
    else out.error = 'bad_transfer_encoding';
    return out.error === null;
  }
  if (chunked === 0) return true;
  out.kind = FRAME_CHUNKED;
  if (last !== 'chunked') out.quirks |= QUIRK_TE_CHUNKED_NOT_LAST;
  if (chunked > 1 || others > 0) out.quirks |= QUIRK_TE_LIST;
  return true;
}

/** A Content-Length of 1 to 15 digits (always a safe integer) read in place, or -1 for any other value. */
function digitsValue(value: string): number {
  const n = value.length;
  if (n === 0 || n > 15) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/**
 * Content-Length value ("5", "5, 5", leading zeros allowed) to a safe integer, or -1 when invalid. A value
 * of 1 to 15 digits (always a safe integer) is read in place; any other goes through the list split.
 */
export function parseContentLength(value: string): number {
  const simple = digitsValue(value);
  if (simple >= 0) return simple;
  let result = -1;
  const parts = value.split(',');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i].trim();
    if (!DIGITS_RE.test(p)) return -1;
    const n = Number(p);
    if (!Number.isSafeInteger(n)) return -1;
    if (result >= 0 && n !== result) return -1;
    result = n;
  }
  return result;
}

/** Statuses whose response never has a body (RFC 9110 section 6.4.1). */
export function statusHasNoBody(status: number): boolean {
  return (status >= 100 && status < 200) || status === 204 || status === 304;
}
