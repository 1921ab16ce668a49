/**
 * Endpoint keys for the per-endpoint rate limit: the method plus the request path with identifier
 * segments replaced by `{id}`, so /orders/123 and /orders/456 are one endpoint.
 *
 * A path segment (text between '/') is an identifier when it is:
 *  - all decimal digits (`123`, `2024`);
 *  - a UUID: 8-4-4-4-12 hex digits with dashes, any case;
 *  - long hex: at least 16 hex digits with at least one decimal digit (object IDs, SHA digests);
 *  - base64-ish: at least 20 characters of [A-Za-z0-9_+=-] with at least one digit and one letter
 *    (base64/base64url tokens, ULIDs, long random slugs).
 * Everything else is kept as sent (`v1`, `users`, `health`, `user-preferences`). Empty segments and
 * a trailing slash are kept. The query is not part of the path (the HTTP stage strips it).
 *
 * Cost: one scan of the path; a new string is built only when a segment is replaced.
 */

/** Placeholder for an identifier segment. */
export const ID_PLACEHOLDER = '{id}';

/**
 * Longest endpoint key kept, in UTF-16 code units. Longer keys are cut: endpoints whose keys agree
 * on the first ENDPOINT_KEY_MAX_LENGTH characters share one bucket. Bounds the memory of the
 * endpoint table (see EndpointLimiter).
 */
export const ENDPOINT_KEY_MAX_LENGTH = 256;

const MIN_HEX_ID_LENGTH = 16;
const MIN_BASE64_ID_LENGTH = 20;
const UUID_LENGTH = 36;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHexLetter(c: number): boolean {
  return (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}
function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
/** Non-alphanumeric characters of the base64 and base64url alphabets (and padding). */
function isBase64Extra(c: number): boolean {
  return c === 45 /* - */ || c === 95 /* _ */ || c === 43 /* + */ || c === 61 /* = */;
}

function isUuid(path: string, start: number): boolean {
  for (let i = 0; i < UUID_LENGTH; i++) {
    const c = path.charCodeAt(start + i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!isDigit(c) && !isHexLetter(c)) {
      return false;
    }
  }
  return true;
}

/** True when path[start, end) is an identifier segment (rules in the file comment). */
export function isIdentifierSegment(path: string, start: number, end: number): boolean {
  const len = end - start;
  if (len <= 0) return false;
  let digits = 0;
  let hexLetters = 0;
  let otherLetters = 0;
  let extras = 0;
  for (let i = start; i < end; i++) {
    const c = path.charCodeAt(i);
    if (isDigit(c)) digits++;
    else if (isHexLetter(c)) hexLetters++;
    else if (isLetter(c)) otherLetters++;
    else if (isBase64Extra(c)) extras++;
    else return false; // '.', '%', ':', non-ASCII, ...: not an identifier
  }
  if (digits === len) return true;
  if (len === UUID_LENGTH && extras === 4 && isUuid(path, start)) return true;
  if (len >= MIN_HEX_ID_LENGTH && digits > 0 && digits + hexLetters === len) return true;
  return len >= MIN_BASE64_ID_LENGTH && digits > 0 && hexLetters + otherLetters > 0;
}

/** The path with identifier segments replaced by `{id}`; the same string when nothing is replaced. */
export function normaliseEndpointPath(path: string): string {
  let out: string | null = null; // built lazily, only once a segment is replaced
  let copiedUpTo = 0;
  let segStart = 0;
  const n = path.length;
  while (segStart <= n) {
    let segEnd = path.indexOf('/', segStart);
    if (segEnd < 0) segEnd = n;
    if (isIdentifierSegment(path, segStart, segEnd)) {
      out = (out ?? '') + path.slice(copiedUpTo, segStart) + ID_PLACEHOLDER;
      copiedUpTo = segEnd;
    }
    segStart = segEnd + 1;
  }
  if (out === null) return path;
  return out + path.slice(copiedUpTo);
}

/** `METHOD normalised-path`, cut to ENDPOINT_KEY_MAX_LENGTH characters. */
export function endpointKey(method: string, path: string): string {
  const key = method + ' ' + normaliseEndpointPath(path);
  return key.length > ENDPOINT_KEY_MAX_LENGTH ? key.slice(0, ENDPOINT_KEY_MAX_LENGTH) : key;
}
