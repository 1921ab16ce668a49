/**
 * One incremental HTTP/1.x message parser per direction (role): start line, header fields, then the body
 * as the owner frames it (framing.ts decides; setFraming tells the parser), chunked bodies and trailers.
 * Data is fed in pieces of any size; state between pieces is the state number, a held partial line, the
 * bytes left in the current body piece and the head byte count.
 *
 * Lines end at LF; one CR before it is dropped (bare LF accepted). Lines are decoded as 'ascii' (Node
 * clears the high bit), as http-parser-js decodes them. Empty lines before a start line are skipped (and
 * counted in the head's bytes). Start lines: start-line.ts; field lines and chunk sizes: field-line.ts.
 *
 * Head size: `headBytes` counts every byte consumed since the message began while in the head (start line,
 * fields, blank line, a partial line held); the owner compares it with its limit (the one count).
 *
 * Callbacks go to `owner` (set once per parser, no closures per call). They never throw out of execute():
 * an exception is stored in `internalError` and the message stops as if onHead returned HEAD_STOP.
 */
import { asciiSlice, chunkSize, fieldBytes, fieldText, foldLevel, FIELD_BARE_CR, FOLD_NONE } from './field-line.js';
import { LINE_BAD, LINE_SIMPLE, requestLine, statusLine } from './start-line.js';
import {
  HEAD_NO_BODY, HEAD_STOP, ST_CHUNK_DATA, ST_CHUNK_END, ST_CHUNK_SIZE, ST_HEADER, ST_RAW, ST_SIZED, ST_START, ST_TRAILERS,
  type HeadAction, type HeadInfo, type ParseErrorReason, type ParserOwner,
} from './types.js';

export * from './types.js';

const NO_LINE = null;

function newInfo(): HeadInfo {
  return { versionMajor: 0, versionMinor: 0, headers: [], method: '', url: '', statusCode: 0, statusMessage: '' };
}

export class MessageParser {
  readonly owner: ParserOwner;
  /** 0 request parser, 1 response parser (the role, not the TCP direction). */
  readonly role: 0 | 1;
  state = ST_START;
  /** The head of the message in progress (a new object per message: exchanges keep its headers). */
  info: HeadInfo = newInfo();
  /** Trailer fields of the chunked body in progress. */
  trailers: string[] = [];
  /** Bytes consumed in the head of the message in progress (start line, fields, blank line, held line). */
  headBytes = 0;
  /** Worst obs-fold seen in the current head (field-line.ts FOLD_*). */
  foldSeen = FOLD_NONE;
  /** The current request line had a truncated version (`HTTP/1.`). */
  badVersion = false;
  /** Set when a callback threw; the owner clears it. */
  internalError: unknown = null;
  /** The reason of the error that made execute() return -1. */
  error: ParseErrorReason | null = null;
  /** Offset in the data of the call in progress (after an error: where the failed line ended). */
  offset = 0;
  /** A line held across calls (no LF yet). */
  private line = '';
  private data: Buffer | null = null;
  private end = 0;
  /** Body framing set by the owner in onHead: chunked, or a length (null = until close). */
  private chunked = false;
  private length: number | null = 0;
  /** Bytes left in the current sized body or chunk. */
  private remaining = 0;

  constructor(role: 0 | 1, owner: ParserOwner) {
    this.owner = owner;
    this.role = role;
  }

  /**
   * Parses data[start, start + length). Returns the bytes consumed (all of them unless HEAD_STOP stopped
   * the call), or -1 on a parse error (`error` says which, `offset` is just past the offending line).
   */
  execute(data: Buffer, start: number, length: number): number {
    this.data = data;
    this.offset = start;
    const end = (this.end = start + length);
    this.error = null;
    let stop = false;
    while (this.offset < end && !stop) {
      switch (this.state) {
        case ST_START:
          stop = this.startLine();
          break;
        case ST_HEADER:
          stop = this.fieldLine();
          break;
        case ST_SIZED:
        case ST_CHUNK_DATA:
          this.bodyPiece();
          break;
        case ST_RAW:
          this.emitBody(end);
          break;
        case ST_CHUNK_SIZE:
          stop = this.chunkSizeLine();
          break;
        case ST_CHUNK_END:
          stop = this.chunkEnd();
          break;
        default:
          stop = this.trailerLine();
      }
    }
    this.data = null;
    return this.error !== null ? -1 : this.offset - start;
  }

  /** Drops all parse state (after an error or a gap). */
  reset(): void {
    this.state = ST_START;
    this.info = newInfo();
    if (this.trailers.length > 0) this.trailers = [];
    this.line = '';
    this.headBytes = 0;
    this.foldSeen = FOLD_NONE;
    this.badVersion = false;
    this.chunked = false;
    this.length = 0;
    this.remaining = 0;
  }

  /** True between messages with nothing of the next one consumed yet. */
  atMessageStart(): boolean {
    return this.state === ST_START && this.line === '';
  }

  inHead(): boolean {
    return this.state <= ST_HEADER;
  }

  /** Bytes still expected in the current body piece: a number, Infinity (read until close), or -1 (not in a body). */
  bodyRemaining(): number {
    const s = this.state;
    if (s === ST_SIZED || s === ST_CHUNK_DATA) return this.remaining;
    return s === ST_RAW ? Infinity : -1;
  }

  /** Length of a partial line held across calls. */
  pendingLineLength(): number {
    return this.line.length;
  }

  /** Sets the body framing; only valid inside onHead. `length` null = read until close. */
  setFraming(chunked: boolean, length: number | null): void {
    this.chunked = chunked;
    this.length = length;
  }

  /** Skips `n` missing body bytes (precondition: 0 < n <= bodyRemaining()); a piece that ends moves on. */
  skipBody(n: number): void {
    if (this.state === ST_RAW) return;
    this.remaining -= n;
    if (this.remaining > 0) return;
    if (this.state === ST_SIZED) this.messageEnd();
    else this.state = ST_CHUNK_END;
  }

  /** The close ends a read-until-close body. */
  finish(): void {
    if (this.state === ST_RAW) this.callMessageEnd();
  }

  // ---- lines ----

  /**
   * The next line (LF excluded, one trailing CR dropped) prefixed by the held partial line, or NO_LINE (the
   * rest held) when the data has no LF. Head bytes are counted here.
   */
  private readLine(): string | null {
    const data = this.data!;
    const start = this.offset;
    const end = this.end;
    let lf = data.indexOf(0x0a, start);
    if (lf >= end) lf = -1;
    const head = this.state <= ST_HEADER;
    if (lf === -1) {
      this.line += asciiSlice(data, start, end);
      this.offset = end;
      if (head) this.headBytes += end - start;
      return NO_LINE;
    }
    this.offset = lf + 1;
    if (head) this.headBytes += lf + 1 - start;
    const held = this.line;
    if (held === '') return asciiSlice(data, start, lf > start && (data[lf - 1]! & 0x7f) === 0x0d ? lf - 1 : lf);
    this.line = '';
    const line = held + asciiSlice(data, start, lf);
    return line.charCodeAt(line.length - 1) === 0x0d ? line.slice(0, -1) : line;
  }

  private fail(reason: ParseErrorReason): boolean {
    this.error = reason;
    return true;
  }

  private startLine(): boolean {
    const line = this.readLine();
    if (!line) return false; // incomplete, or an empty line between messages (skipped)
    const info = this.info;
    if (this.role === 1) {
      if (!statusLine(line, info)) return this.fail('bad_status_line');
      this.state = ST_HEADER;
      return false;
    }
    const r = requestLine(line, info, this.data!, this.offset, this.end, this);
    if (r === LINE_BAD) return this.fail('bad_request_line');
    if (r === LINE_SIMPLE) {
      this.callHead(); // HTTP/0.9: no fields, no body, whatever the owner answers
      this.messageEnd();
      return false;
    }
    this.state = ST_HEADER;
    return false;
  }

  /** One header line, or the blank line ending the head. True: stop execute(). */
  private fieldLine(): boolean {
    const headers = this.info.headers;
    if (this.line === '') {
      // The line from the bytes, when it lies whole in this call's data.
      const data = this.data!;
      const start = this.offset;
      const lf = data.indexOf(0x0a, start);
      if (lf !== -1 && lf < this.end) {
        const e = lf > start && (data[lf - 1]! & 0x7f) === 0x0d ? lf - 1 : lf;
        const first = data[start]! & 0x7f;
        if (e === start) {
          this.offset = lf + 1;
          this.headBytes += lf + 1 - start;
          return this.endOfHead();
        }
        if (first !== 0x20 && first !== 0x09 && fieldBytes(data, start, e, headers)) {
          this.offset = lf + 1;
          this.headBytes += lf + 1 - start;
          return false;
        }
      }
    }
    const line = this.readLine();
    if (line === NO_LINE) return false;
    if (line === '') return this.endOfHead();
    return this.fieldFromText(line, headers);
  }

  /** A field (or trailer) line from text; notes obs-fold. True: stop (error). */
  private fieldFromText(line: string, headers: string[]): boolean {
    const c = line.charCodeAt(0);
    if (c === 0x20 || c === 0x09) {
      const level = foldLevel(headers);
      if (level > this.foldSeen) this.foldSeen = level;
    }
    return fieldText(line, headers) === FIELD_BARE_CR ? this.fail('bare_cr') : false;
  }

  /** The blank line: onHead, then the body as framed. True: stop execute(). */
  private endOfHead(): boolean {
    this.chunked = false;
    this.length = 0;
    const action = this.callHead();
    if (action === HEAD_STOP) {
      this.messageEnd();
      return true;
    }
    if (action === HEAD_NO_BODY) {
      this.messageEnd();
    } else if (this.chunked) {
      this.state = ST_CHUNK_SIZE;
    } else if (this.length === null) {
      this.state = ST_RAW;
    } else if (this.length > 0) {
      this.remaining = this.length;
      this.state = ST_SIZED;
    } else {
      this.messageEnd();
    }
    return false;
  }

  // ---- bodies ----

  private emitBody(to: number): void {
    const from = this.offset;
    this.offset = to;
    try {
      this.owner.onBody(this, this.data!.subarray(from, to));
    } catch (err) {
      this.internalError = err;
    }
  }

  /** A sized body or a chunk's data: what the call holds of it; at its end the message or the chunk ends. */
  private bodyPiece(): void {
    const n = Math.min(this.end - this.offset, this.remaining);
    this.remaining -= n;
    this.emitBody(this.offset + n);
    if (this.remaining > 0) return;
    if (this.state === ST_SIZED) this.messageEnd();
    else this.state = ST_CHUNK_END;
  }

  private chunkSizeLine(): boolean {
    let size: number;
    const data = this.data!;
    const start = this.offset;
    const lf = this.line === '' ? data.indexOf(0x0a, start) : -1;
    if (lf !== -1 && lf < this.end) {
      this.offset = lf + 1;
      size = chunkSize(null, data, start, lf > start && (data[lf - 1]! & 0x7f) === 0x0d ? lf - 1 : lf);
    } else {
      const line = this.readLine();
      if (line === NO_LINE) return false;
      size = chunkSize(line, null, 0, line.length);
    }
    if (size < 0) return this.fail('bad_chunk_size');
    this.remaining = size;
    this.state = size === 0 ? ST_TRAILERS : ST_CHUNK_DATA;
    return false;
  }

  private chunkEnd(): boolean {
    const line = this.readLine();
    if (line === NO_LINE) return false;
    if (line !== '') return this.fail('bad_chunk_end');
    this.state = ST_CHUNK_SIZE;
    return false;
  }

  private trailerLine(): boolean {
    const line = this.readLine();
    if (line === NO_LINE) return false;
    if (line !== '') return this.fieldFromText(line, this.trailers);
    if (this.trailers.length > 0) {
      try {
        this.owner.onTrailers(this, this.trailers);
      } catch (err) {
        this.internalError = err;
      }
    }
    this.messageEnd();
    return false;
  }

  // ---- callbacks ----

  private callHead(): HeadAction {
    try {
      return this.owner.onHead(this, this.info);
    } catch (err) {
      this.internalError = err;
      return HEAD_STOP;
    }
  }

  private callMessageEnd(): void {
    try {
      this.owner.onMessageEnd(this);
    } catch (err) {
      this.internalError = err;
    }
  }

  /** The message is complete: onMessageEnd, then a fresh message. */
  private messageEnd(): void {
    this.callMessageEnd();
    this.reset();
  }
}
