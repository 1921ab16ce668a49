/**
 * Pure helpers on parsed heads and parser errors: error codes to counter reasons, NUL detection, trimming
 * of an over-long head, version text. No state.
 */
import type { HeadInfo } from './parser.js';

/** Stock parser error codes to counter reasons (`http.parse_error.<reason>`). */
const ERROR_REASONS: Readonly<Record<string, string>> = {
  HPE_INVALID_CONSTANT: 'bad_status_line',
  HPE_LF_EXPECTED: 'bare_cr',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'conflicting_content_length',
  bad_request_line: 'bad_request_line',
  bad_chunk_size: 'bad_chunk_size',
};

/** Counter reason for an error returned by MessageParser.execute() or skipBody(). */
export function errorReason(err: Error): string {
  const code = (err as Error & { code?: string }).code;
  if (code !== undefined && ERROR_REASONS[code] !== undefined) return ERROR_REASONS[code];
  return err.message === 'Expected empty line' ? 'bad_chunk_end' : 'other';
}

/** True when the target or a header name / value holds a NUL byte. */
export function hasNul(info: HeadInfo): boolean {
  if (info.url !== undefined && info.url.indexOf('\u0000') >= 0) return true;
  const h = info.headers;
  for (let i = 0; i < h.length; i++) if (h[i].indexOf('\u0000') >= 0) return true;
  return false;
}

/**
 * An over-long head is reported with the header fields that fit in `limit` bytes (counting the start
 * line and ": " + CRLF per field), so the report does not depend on where the data was split.
 * Shortens `info.headers` in place.
 */
export function trimOverlongHead(info: HeadInfo, isRequest: boolean, limit: number): void {
  let used = isRequest
    ? (info.method?.length ?? 0) + (info.url?.length ?? 0) + 12
    : 15 + (info.statusMessage?.length ?? 0);
  const h = info.headers;
  let keep = 0;
  for (; keep + 1 < h.length; keep += 2) {
    used += h[keep].length + h[keep + 1].length + 4;
    if (used > limit) break;
  }
  h.length = keep;
}

/** "1.1", "1.0", "0.9". */
export function versionOf(info: HeadInfo): string {
  return `${info.versionMajor}.${info.versionMinor}`;
}
