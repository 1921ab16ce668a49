/**
 * The whole-head path of MessageParser: at the start of a message, when the data of the execute() call
 * holds the complete head, the head is decoded with one asciiSlice (the stock 'ascii' decoding) and its
 * lines are taken from that one string with string searches and slices, instead of one LF search and one
 * decoding per line (stock-lines.ts readLine). The results are the per-line path's, line for line: the same
 * start line parsing (request-line.ts matchRequestLine, parseStatusLine), the same `name: value` split as
 * splitFieldLine, the same end of the head (endOfHead), with `offset` where the per-line path has it
 * whenever one of them throws or returns (test/http/whole-head.test.ts compares the two paths).
 *
 * Lines it takes: ending with CR LF (the CR may be 0x8D, which decodes to CR and which the per-line path
 * drops too; the LF must be the byte 0x0A), with no other CR or LF in their text (0x8A decodes to LF);
 * a request line REQUEST_LINE_RE takes; header lines splitFieldLine takes. At the first other line it
 * stops at that line's start and the per-line path goes on from there in the same state (HEADER once the
 * start line is done): bare LF, a CR or 0x8A inside a line, obs-fold (foldSeen is noted there), lines
 * without ':' or with blanks in the name, and start lines other than the above (HTTP/0.9, truncated
 * versions, bad lines: nothing consumed, the start line is the per-line path's, errors included). Left to
 * the per-line path as well: an empty first line, a head not complete in the call's data (no CR LF CR LF
 * in decoded text) and a head longer than WHOLE_HEAD_MAX_BYTES.
 *
 * Cost bound: an attempt decodes the rest of the call's data when it is at most DECODE_REST_BYTES and
 * searches it as text, else searches the bytes (Buffer.indexOf, up to the buffer's end) and decodes at most
 * WHOLE_HEAD_MAX_BYTES. An attempt that gives up after that turns the path off until the next execute()
 * call (`wholeHeads`), so a call costs at most its whole heads plus one such search and decoding, whatever
 * the data. Memory: header strings are slices of the head's text, which holds at most TAIL_SLACK_BYTES
 * (or the short rest of the data) beyond the head.
 */
import { endOfHead, parseStatusLine, type StockLineState } from './stock-lines.js';
import type { HeadInfo } from './parser.js';
import { matchRequestLine } from './request-line.js';

/** Longest head (bytes from the start line to the blank line's LF) the path takes; longer: per-line. */
export const WHOLE_HEAD_MAX_BYTES = 16 * 1024;

/** readWholeHead results: nothing consumed (run the per-line step), go on with execute(), stop execute(). */
export const WHOLE_NONE = -1;
export const WHOLE_GO_ON = 0;
export const WHOLE_STOP = 1;

/** What the path reads and writes: the per-line state, the head, and the per-execute() switch. */
export interface WholeHeadState extends StockLineState {
  info: HeadInfo;
  /** Set by execute() for each call; cleared here when an attempt gives up after its search. */
  wholeHeads: boolean;
}

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
/** Data of at most this many bytes after the message start is decoded at once and searched as text. */
const DECODE_REST_BYTES = 2048;
/**
 * Decoded bytes after the head kept in its text at most (header strings are slices of that text and keep
 * it alive while the exchange is held); more: the head is decoded again on its own.
 */
const TAIL_SLACK_BYTES = 256;

function asciiSlice(b: Buffer, start: number, end: number): string {
  return (b as Buffer & { asciiSlice(s: number, e: number): string }).asciiSlice(start, end);
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * The text of chunk[start, end) from `start` to at least the first CR LF CR LF (as decoded text) and at
 * most TAIL_SLACK_BYTES or DECODE_REST_BYTES past it, or null when there is none within
 * WHOLE_HEAD_MAX_BYTES. Short rest: decoded whole and searched as text; else searched as bytes first.
 */
function headText(chunk: Buffer, start: number, end: number): string | null {
  const rest = end - start;
  if (rest <= DECODE_REST_BYTES) {
    const text = asciiSlice(chunk, start, end);
    const blank = text.indexOf('\r\n\r\n');
    if (blank === -1) return null;
    return rest - (blank + 4) > TAIL_SLACK_BYTES ? asciiSlice(chunk, start, start + blank + 4) : text;
  }
  const blank = chunk.indexOf(HEAD_END, start);
  if (blank === -1 || blank + 4 > end || blank + 4 - start > WHOLE_HEAD_MAX_BYTES) return null;
  return asciiSlice(chunk, start, blank + 4);
}

/**
 * Index in `text` of the LF ending the line at `pos` when that line is one this path takes (CR before the
 * LF, no other CR, the LF a 0x0A byte of `chunk` at `base` + index), else -1.
 */
function lineEnd(text: string, pos: number, chunk: Buffer, base: number): number {
  const lf = text.indexOf('\n', pos);
  if (lf <= pos || text.charCodeAt(lf - 1) !== 0x0d || chunk[base + lf] !== 0x0a) return -1;
  return text.indexOf('\r', pos) === lf - 1 ? lf : -1;
}

/** splitFieldLine (stock-lines.ts) on text[pos, end), a line without CR or LF; false: not taken. */
function splitField(text: string, pos: number, end: number, headers: string[]): boolean {
  if (isBlank(text.charCodeAt(pos))) return false; // obs-fold: the per-line path notes it
  const colon = text.indexOf(':', pos);
  if (colon <= pos || colon >= end) return false;
  for (let i = pos + 1; i < colon; i++) if (isBlank(text.charCodeAt(i))) return false;
  let vs = colon + 1;
  let ve = end;
  while (vs < ve && isBlank(text.charCodeAt(vs))) vs++;
  while (ve > vs && isBlank(text.charCodeAt(ve - 1))) ve--;
  headers.push(text.slice(pos, colon), text.slice(vs, ve));
  return true;
}

/**
 * Reads the head at p.offset (precondition: REQUEST_LINE or RESPONSE_LINE state, nothing held in
 * p.line, p.wholeHeads set). Returns WHOLE_NONE with nothing changed, or WHOLE_GO_ON / WHOLE_STOP with
 * p.offset past what it consumed (the per-line path goes on from there); exceptions are the per-line
 * path's, thrown with p.offset where that path has it.
 */
export function readWholeHead(p: WholeHeadState): number {
  const chunk = p.chunk as Buffer;
  const start = p.offset;
  const first = chunk[start];
  // An empty first line (0x8D decodes to CR) is the per-line path's: it skips it between messages. Left
  // without giving up: this costs O(1), however many such lines come.
  if (first === 0x0d || first === 0x0a || first === 0x8d) return WHOLE_NONE;
  const text = headText(chunk, start, p.end);
  if (text === null) {
    p.wholeHeads = false;
    return WHOLE_NONE;
  }
  let lf = lineEnd(text, 0, chunk, start);
  if (lf === -1) {
    p.wholeHeads = false;
    return WHOLE_NONE;
  }
  const info = p.info;
  if (p.type === 'REQUEST') {
    if (!matchRequestLine(text.slice(0, lf - 1), info)) {
      p.wholeHeads = false;
      return WHOLE_NONE;
    }
    p.body_bytes = 0;
    p.offset = start + lf + 1;
  } else {
    p.offset = start + lf + 1;
    const statusCode = parseStatusLine(text.slice(0, lf - 1), info);
    if ((statusCode / 100 | 0) === 1 || statusCode === 204 || statusCode === 304) p.body_bytes = 0;
  }
  p.state = 'HEADER';
  const headers = info.headers;
  for (let pos = lf + 1; ; pos = lf + 1) {
    lf = lineEnd(text, pos, chunk, start);
    if (lf === -1) break;
    if (lf === pos + 1) {
      p.offset = start + lf + 1;
      return endOfHead(p, info) === true ? WHOLE_STOP : WHOLE_GO_ON;
    }
    if (!splitField(text, pos, lf - 1, headers)) break;
    p.offset = start + lf + 1;
  }
  p.wholeHeads = false;
  return WHOLE_GO_ON;
}
