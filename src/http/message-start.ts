/**
 * Recognises a plausible start of an HTTP/1.x message, to resynchronise after a parse error or a gap
 * and to pick up connections mid-stream: a request line `METHOD SP` with a known method, or a status
 * line `HTTP/1.`. Candidates are the given start offset and every byte after an LF.
 */

export const START_NONE = 0;
export const START_REQUEST = 1;
export const START_RESPONSE = 2;
/** Not decidable: the candidate runs into the end of the data. */
export const START_UNDECIDED = 3;

/** Known methods: those of http-parser-js 0.5 / Node's http_parser, plus a few registered since. */
const METHODS = new Set<string>([
  'DELETE', 'GET', 'HEAD', 'POST', 'PUT', 'CONNECT', 'OPTIONS', 'TRACE', 'COPY', 'LOCK', 'MKCOL', 'MOVE',
  'PROPFIND', 'PROPPATCH', 'SEARCH', 'UNLOCK', 'BIND', 'REBIND', 'UNBIND', 'ACL', 'REPORT', 'MKACTIVITY',
  'CHECKOUT', 'MERGE', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'PATCH', 'PURGE', 'MKCALENDAR', 'LINK',
  'UNLINK', 'SOURCE', 'QUERY', 'PRI', 'VERSION-CONTROL', 'UPDATE', 'LABEL', 'BASELINE-CONTROL',
]);
export function isKnownMethod(m: string): boolean {
  return METHODS.has(m);
}
let longest = 0;
for (const m of METHODS) longest = Math.max(longest, m.length);
/** Longest prefix a candidate needs to be decided ("VERSION-CONTROL "). */
export const MAX_START_PROBE = Math.max(longest + 1, 7);

const RESPONSE_PREFIX = Buffer.from('HTTP/1.', 'latin1');
const SPACE = 0x20;

/** Which message kinds to look for: START_REQUEST, START_RESPONSE, or both (bitwise or). */
export type StartWanted = number;

/** Classifies the candidate at `pos` in buf[pos, end). */
export function classifyStart(buf: Buffer, pos: number, end: number, wanted: StartWanted): number {
  let undecided = false;
  if ((wanted & START_RESPONSE) !== 0) {
    const n = Math.min(RESPONSE_PREFIX.length, end - pos);
    let ok = true;
    for (let i = 0; i < n; i++) {
      if (buf[pos + i] !== RESPONSE_PREFIX[i]) {
        ok = false;
        break;
      }
    }
    if (ok) {
      if (n === RESPONSE_PREFIX.length) return START_RESPONSE;
      undecided = true;
    }
  }
  if ((wanted & START_REQUEST) !== 0) {
    let i = pos;
    while (i < end && i - pos <= longest) {
      const c = buf[i];
      if ((c >= 0x41 && c <= 0x5a) || c === 0x2d) {
        i++;
        continue;
      }
      break;
    }
    if (i === end && i - pos <= longest) {
      if (i > pos || end === pos) undecided = true;
    } else if (i > pos && buf[i] === SPACE && METHODS.has(buf.toString('latin1', pos, i))) {
      return START_REQUEST;
    }
  }
  return undecided ? START_UNDECIDED : START_NONE;
}

/** Result of a scan, reused by the caller. */
export interface StartScan {
  /** Offset of the first plausible start, or -1. */
  pos: number;
  kind: number;
  /** When pos is -1: offset from which the data's tail may still begin a message (keep it), or -1. */
  keepFrom: number;
}

export function newStartScan(): StartScan {
  return { pos: -1, kind: START_NONE, keepFrom: -1 };
}

/**
 * Finds the first plausible message start in buf[from, end). `atLineStart`: whether `from` itself is
 * at the beginning of a line (else only positions after an LF are candidates).
 */
export function findMessageStart(
  buf: Buffer, from: number, end: number, atLineStart: boolean, wanted: StartWanted, out: StartScan,
): StartScan {
  out.pos = -1;
  out.kind = START_NONE;
  out.keepFrom = -1;
  let cand = atLineStart ? from : -1;
  if (cand < 0) {
    const lf = buf.indexOf(0x0a, from);
    cand = lf < 0 || lf >= end ? -1 : lf + 1;
  }
  while (cand >= 0 && cand <= end) {
    const kind = cand === end ? START_UNDECIDED : classifyStart(buf, cand, end, wanted);
    if (kind === START_UNDECIDED) {
      out.keepFrom = cand;
      return out;
    }
    if (kind !== START_NONE) {
      out.pos = cand;
      out.kind = kind;
      return out;
    }
    const lf = buf.indexOf(0x0a, cand);
    cand = lf < 0 || lf >= end ? -1 : lf + 1;
  }
  return out;
}
