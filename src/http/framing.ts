/**
 * Message framing (RFC 9112 section 6) decided from a parsed head: the one place the stage decides it (the
 * parser, parser/message-parser.ts, is told the result through setFraming). Stricter than http-parser-js:
 * conflicting or malformed length information is an error (a request-smuggling vector), reported by reason.
 */

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
  /** Lower-cased Content-Encoding value, or null. */
  contentEncoding: string | null;
  /** An Upgrade field and a Connection field whose value contains `upgrade` (any case): the client asks to switch. */
  upgrade: boolean;
}

export function newFraming(): Framing {
  return { kind: FRAME_NONE, length: 0, error: null, contentEncoding: null, upgrade: false };
}

const DIGITS_RE = /^[0-9]+$/;

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
      if (!connectionUpgrade && headers[i + 1].toLowerCase().indexOf('upgrade') !== -1) connectionUpgrade = true;
    } else if (lower === 'content-length') {
      const cl = parseContentLength(headers[i + 1]);
      if (cl < 0) {
        out.error = 'bad_content_length';
        return out;
      }
      if (contentLength >= 0 && cl !== contentLength) {
        out.error = 'conflicting_content_length';
        return out;
      }
      contentLength = cl;
    } else if (lower === 'transfer-encoding') {
      te = te === null ? headers[i + 1] : `${te},${headers[i + 1]}`;
    } else if (lower === 'content-encoding') {
      const v = headers[i + 1].trim().toLowerCase();
      out.contentEncoding = out.contentEncoding === null ? v : `${out.contentEncoding},${v}`;
    }
  }
  out.upgrade = upgradeField && connectionUpgrade;
  if (te !== null) {
    if (contentLength >= 0) {
      out.error = 'te_and_content_length';
      return out;
    }
    const codings = te.toLowerCase().split(',');
    let chunkedAt = -1;
    let last = '';
    for (let i = 0; i < codings.length; i++) {
      const c = codings[i].trim();
      if (c === '') continue;
      if (c === 'chunked') {
        if (chunkedAt >= 0) {
          out.error = 'chunked_twice';
          return out;
        }
        chunkedAt = i;
      }
      last = c;
    }
    if (last === 'chunked') {
      out.kind = FRAME_CHUNKED;
      return out;
    }
    if (isRequest || chunkedAt >= 0) {
      // A request must end with chunked to be delimited; chunked that is not last is invalid anywhere.
      out.error = 'bad_transfer_encoding';
      return out;
    }
    out.kind = FRAME_UNTIL_CLOSE;
    return out;
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
 * Content-Length value ("5", "5, 5", leading zeros allowed) to a safe integer, or -1 when invalid. A value
 * of 1 to 15 digits (always a safe integer) is read in place; any other goes through the list split.
 */
export function parseContentLength(value: string): number {
  const n = value.length;
  if (n > 0 && n <= 15) {
    let v = 0;
    let i = 0;
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
    }
    if (i === n) return v;
  }
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
