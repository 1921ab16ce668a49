/**
 * One incremental HTTP/1.x message parser per direction (role): start line, header fields, then the body
 * as the owner frames it (framing.ts decides; setFraming tells the parser), chunked bodies and trailers.
 * Data is fed in pieces of any size; state between pieces is the state number, a held partial line (its
 * bytes), the bytes left in the current body piece and the head byte count.
 *
 * Lines end at LF; one CR before it is dropped (bare LF accepted, QUIRK_LF_ONLY). Every line is read in one
 * place (line-reader.ts) into bytes: in place when whole in the call's data, else joined with the held part.
 * Text is decoded as 'ascii' (Node clears the high bit), as http-parser-js decodes it. Empty lines before
 * a start line are skipped (and counted in the head's bytes). This file holds the state machine, the body
 * pieces and the callbacks; the head's lines (start line, field lines, the blank line, the HTTP/0.9-style
 * reply): head-lines.ts, parsing start-line.ts and field-line.ts; the chunked-body states: chunked-body.ts.
 *
 * Leniency (docs/http.md, "Leniency"): responses are read as the most lenient mainstream client reads
 * them; each unusual form sets a bit of `quirks` (quirks.ts), which the owner reads at head time and at
 * message end. The checks run only after the strict path refused a line.
 *
 * Head size: `headBytes` counts every byte consumed since the message began while in the head (start line,
 * fields, blank line, a partial line held); the owner compares it with its limit (the one count).
 *
 * Callbacks go to `owner` (set once per parser, no closures per call). They never throw out of execute():
 * an exception is stored in `internalError` and the message stops as if onHead returned HEAD_STOP.
 */
import { FOLD_NONE } from './field-line.js';
import { chunkEnd, chunkSizeLine, trailerLine } from './chunked-body.js';
import { fieldLine, startLine } from './head-lines.js';
import { LineReader } from './line-reader.js';
import {
  HEAD_STOP, ST_CHUNK_DATA, ST_CHUNK_END, ST_CHUNK_SIZE, ST_HEADER, ST_RAW, ST_SIZED, ST_START, ST_TRAILERS,
  type HeadAction, type HeadInfo, type ParseErrorReason, type ParserOwner,
} from './types.js';
import { QUIRK_CLOSE_BEFORE_END, QUIRK_LF_ONLY, QUIRK_TE_HTTP10 } from '../quirks.js';

export * from './types.js';

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
  /** The current head's target or a field line holds a NUL byte (the bytes as sent, not the decoded text). */
  nulByte = false;
  /**
   * Quirk bits (quirks.ts) seen in the current message; cleared when the next message starts. Two bits are
   * set ahead and cleared when the message ends as framed, so a message the close interrupts carries them:
   * QUIRK_CLOSE_BEFORE_END in a sized or chunked body, QUIRK_CHUNK_NO_FINAL_CRLF in the last trailer section.
   */
  quirks = 0;
  /** Set when a callback threw; the owner clears it. */
  internalError: unknown = null;
  /** The reason of the error that made execute() return -1. */
  error: ParseErrorReason | null = null;
  /** Offset in the data of the call in progress (after an error: where the failed line ended). */
  offset = 0;
  // Members below marked internal are read by head-lines.ts and chunked-body.ts (the parser's other parts), nowhere else.
  /** @internal Messages completed by this parser (an HTTP/0.9-style reply is taken only before the first). */
  messages = 0;
  /** @internal The line being read, and the part of one held across calls. */
  readonly lines = new LineReader();
  data: Buffer | null = null;
  end = 0;
  /** @internal Body framing set by the owner in onHead: chunked, or a length (null = until close). */
  chunked = false;
  length: number | null = 0;
  /** Bytes left in the current sized body or chunk. */
  remaining = 0;

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
          stop = startLine(this);
          break;
        case ST_HEADER:
          stop = fieldLine(this);
          break;
        case ST_SIZED:
        case ST_CHUNK_DATA:
          this.bodyPiece();
          break;
        case ST_RAW:
          this.emitBody(end);
          break;
        case ST_CHUNK_SIZE:
          stop = chunkSizeLine(this);
          break;
        case ST_CHUNK_END:
          stop = chunkEnd(this);
          break;
        default:
          stop = trailerLine(this);
      }
    }
    this.data = null;
    this.lines.buf = null;
    return this.error !== null ? -1 : this.offset - start;
  }

  /** Drops all parse state (after an error or a gap). */
  reset(): void {
    this.state = ST_START;
    this.info = newInfo();
    if (this.trailers.length > 0) this.trailers = [];
    this.lines.held = null;
    this.headBytes = 0;
    this.foldSeen = FOLD_NONE;
    this.badVersion = false;
    this.nulByte = false;
    this.quirks = 0;
    this.chunked = false;
    this.length = 0;
    this.remaining = 0;
  }

  /** True between messages with nothing of the next one consumed yet. */
  atMessageStart(): boolean {
    return this.state === ST_START && this.lines.held === null;
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
    return this.lines.held === null ? 0 : this.lines.heldLength;
  }

  /** Sets the body framing; only valid inside onHead. `length` null = read until close. */
  setFraming(chunked: boolean, length: number | null): void {
    this.chunked = chunked;
    this.length = length;
    if (chunked && this.info.versionMajor === 1 && this.info.versionMinor === 0) this.quirks |= QUIRK_TE_HTTP10;
  }

  /** Skips `n` missing body bytes (precondition: 0 < n <= bodyRemaining()); a piece that ends moves on. */
  skipBody(n: number): void {
    if (this.state === ST_RAW) return;
    this.remaining -= n;
    if (this.remaining <= 0) this.pieceEnd();
  }

  /**
   * The close ends a read-until-close body, and a chunked body whose last chunk came without the final
   * CRLF (QUIRK_CHUNK_NO_FINAL_CRLF; a partial trailer line is dropped). True when a message ended here.
   */
  finish(): boolean {
    if (this.state === ST_RAW) this.callMessageEnd();
    else if (this.state === ST_TRAILERS) this.messageEnd();
    else return false;
    return true;
  }

  // ---- lines ----

  /**
   * @internal parser/ only. Reads the next line (lines.buf[lines.start, lines.end)) and consumes it, or holds
   * the rest (false). Counts head bytes.
   */
  nextLine(): boolean {
    const start = this.offset;
    const next = this.lines.next(this.data!, start, this.end);
    const to = next < 0 ? this.end : next;
    if (this.state <= ST_HEADER) this.headBytes += to - start;
    this.offset = to;
    if (next < 0) return false;
    if (this.lines.lfOnly) this.quirks |= QUIRK_LF_ONLY;
    return true;
  }

  /** @internal parser/ only */
  fail(reason: ParseErrorReason): boolean {
    this.error = reason;
    this.quirks &= ~QUIRK_CLOSE_BEFORE_END; // the error, not the close, ends this message
    return true;
  }

  // ---- bodies ----

  private emitBody(to: number): void {
    const from = this.offset;
    this.offset = to;
    this.deliver(this.data!.subarray(from, to));
  }

  /** @internal parser/ only */
  deliver(chunk: Buffer): void {
    try {
      this.owner.onBody(this, chunk);
    } catch (err) {
      this.internalError = err;
    }
  }

  /** A sized body or a chunk's data: what the call holds of it; at its end the message or the chunk ends. */
  private bodyPiece(): void {
    const n = Math.min(this.end - this.offset, this.remaining);
    this.remaining -= n;
    this.emitBody(this.offset + n);
    if (this.remaining <= 0) this.pieceEnd();
  }

  /** The sized body or the chunk's data is complete: the message ends, or the chunk's line end is next. */
  private pieceEnd(): void {
    if (this.state === ST_SIZED) this.messageEnd();
    else this.state = ST_CHUNK_END;
  }

  // ---- callbacks ----

  /** @internal parser/ only */
  callHead(): HeadAction {
    try {
      return this.owner.onHead(this, this.info);
    } catch (err) {
      this.internalError = err;
      return HEAD_STOP;
    }
  }

  private callMessageEnd(): void {
    this.messages++;
    this.quirks &= ~QUIRK_CLOSE_BEFORE_END;
    try {
      this.owner.onMessageEnd(this);
    } catch (err) {
      this.internalError = err;
    }
  }

  /** @internal parser/ only. The message is complete: onMessageEnd, then a fresh message. */
  messageEnd(): void {
    this.callMessageEnd();
    this.reset();
  }
}
