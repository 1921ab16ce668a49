/**
 * Pure helpers on parsed heads: head defects, trimming of an over-long head, version text. No state.
 */
import { FOLD_FRAMING } from './parser/field-line.js';
import type { HeadInfo, MessageParser } from './parser/message-parser.js';

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

/**
 * The defects that end a head of either role before framing is decided, by precedence: over-long (the
 * head is first trimmed to the fields that fit, see trimOverlongHead), a NUL byte, obs-fold inside a
 * framing field. Returns the reason (counter suffix) or null.
 */
export function headDefect(p: MessageParser, info: HeadInfo, limit: number): string | null {
  if (p.headBytes > limit) {
    trimOverlongHead(info, p.role === 0, limit);
    return 'header_too_large';
  }
  // A request's NUL byte, found on the bytes by the parser. A response's NUL is accepted (Python's http.client
  // reads such a response): the parser flags it (QUIRK_CONTROL_BYTE, docs/http.md "Leniency").
  if (p.role === 0 && p.nulByte) return 'nul_byte';
  if (p.foldSeen === FOLD_FRAMING) return 'obs_fold_framing';
  return null;
}

/** The partial head of a message that failed (`reason`) after its start line: trimmed when over-long. */
export function partialHead(p: MessageParser, reason: string, limit: number): HeadInfo {
  if (reason === 'header_too_large') trimOverlongHead(p.info, p.role === 0, limit);
  return p.info;
}
