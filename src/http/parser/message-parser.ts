/**
 * One incremental HTTP/1.x message parser per direction (role): start line, header fields, then the body
 * as the owner frames it (framing.ts decides; setFraming tells the parser), chunked bodies and trailers.
 * Data is fed in pieces of any size; state between pieces is the state number, a held partial line (its
 * bytes), the bytes left in the current body piece and the head byte count.
 *
 * Lines end at LF; one CR before it is dropped (bare LF accepted, QUIRK_LF_ONLY). Every line is read in one
 * place (line-reader.ts) into bytes: in place when whole in the call's data, else joined with the held part.
 * Text is decoded as 'ascii' (Node clears the high bit), as http-parser-js decodes it. Empty lines before
 * a start line are skipped (and counted in the head's bytes). Start lines: start-line.ts; field lines and
 * chunk sizes: field-line.ts; the chunked-body states and the HTTP/0.9-style reply: chunked-body.ts.
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
import {
  asciiSlice, fieldBytes, fieldOther, foldLevel, hasZero, FIELD_BAD, FIELD_BARE_CR, FOLD_NONE,
} from './field-line.js';
import { chunkEnd, chunkSizeLine, simpleResponse, trailerLine } from './chunked-body.js';
import { LineReader } from './line-reader.js';
import { LINE_BAD, LINE_SIMPLE, mayBeStatusLine, requestLine, statusLine, STATUS_BAD, STATUS_LENIENT } from './start-line.js';
import {
  HEAD_NO_BODY, HEAD_STOP, ST_CHUNK_DATA, ST_CHUNK_END, ST_CHUNK_SIZE, ST_HEADER, ST_RAW, ST_SIZED, ST_START, ST_TRAILERS,
  type HeadAction, type HeadInfo, type ParseErrorReason, type ParserOwner,
} from './types.js';
import { QUIRK_CLOSE_BEFORE_END, QUIRK_LF_ONLY, QUIRK_STATUS_LINE, QUIRK_TE_HTTP10 } from '../quirks.js';

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
  /** Messages completed by this parser (an HTTP/0.9-style reply is taken only before the first). */
  private messages = 0;
  // Members below marked internal are read by chunked-body.ts (the parser's other half), nowhere else.
  /** @internal The line being read, and the part of one held across calls. */
  readonly lines = new LineReader();
  data: Buffer | null = null;
  end = 0;
  /** Body framing set by the owner in onHead: chunked, or a length (null = until close). */
  private chunked = false;
  private length: number | null = 0;
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
    if (this.remaining > 0) return;
    if (this.state === ST_SIZED) this.messageEnd();
    else this.state = ST_CHUNK_END;
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

  /** Reads the next line (lines.buf[lines.start, lines.end)) and consumes it, or holds the rest (false). Counts head bytes. */
  /** @internal parser/ only */
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

  private startLine(): boolean {
    if (!this.nextLine()) {
      // An HTTP/0.9-style reply is known from its first bytes; the rest of the line need not come.
      if (this.role === 1 && this.messages === 0 && !mayBeStatusLine(this.lines.held!, 0, this.lines.heldLength)) return simpleResponse(this, false);
      return false;
    }
    const b = this.lines.buf!;
    if (this.lines.end === this.lines.start) {
      this.quirks = 0; // an empty line between messages: not part of the next one
      return false;
    }
    const line = asciiSlice(b, this.lines.start, this.lines.end);
    const info = this.info;
    if (this.role === 1) {
      const r = statusLine(line, info);
      if (r === STATUS_BAD) {
        // A line meant as a status line (`HTTP/...`) that is not one stays an error, as in Chromium.
        if (this.messages > 0 || mayBeStatusLine(b, this.lines.start, this.lines.end)) return this.fail('bad_status_line');
        return simpleResponse(this, true);
      }
      if (r === STATUS_LENIENT) this.quirks |= QUIRK_STATUS_LINE;
      this.state = ST_HEADER;
      return false;
    }
    const r = requestLine(line, info, this.data!, this.offset, this.end, this);
    if (r === LINE_BAD) return this.fail('bad_request_line');
    if (info.url.indexOf('\u0000') >= 0 && hasZero(b, this.lines.start, this.lines.end)) this.nulByte = true;
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
    if (!this.nextLine()) return false;
    if (this.lines.end === this.lines.start) return this.endOfHead();
    return this.field(this.info.headers);
  }

  /** The field (or trailer) line just read, into `headers`; notes obs-fold. True: stop (error). */
  /** @internal parser/ only */
  field(headers: string[]): boolean {
    const b = this.lines.buf!;
    const s = this.lines.start;
    const e = this.lines.end;
    const q = fieldBytes(b, s, e, headers);
    if (q >= 0) {
      this.quirks |= q;
      if (q !== 0 && hasZero(b, s, e)) this.nulByte = true;
      return false;
    }
    const c = b[s]! & 0x7f;
    if (c === 0x20 || c === 0x09) {
      const level = foldLevel(headers, this.role === 1);
      if (level > this.foldSeen) this.foldSeen = level;
    }
    const r = fieldOther(b, s, e, headers, this.role === 1);
    if (r === FIELD_BARE_CR) return this.fail('bare_cr');
    if (r === FIELD_BAD) return this.fail('bad_field');
    this.quirks |= r;
    if (r !== 0 && hasZero(b, s, e)) this.nulByte = true;
    return false;
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
      this.quirks |= QUIRK_CLOSE_BEFORE_END;
    } else if (this.length === null) {
      this.state = ST_RAW;
    } else if (this.length > 0) {
      this.remaining = this.length;
      this.state = ST_SIZED;
      this.quirks |= QUIRK_CLOSE_BEFORE_END;
    } else {
      this.messageEnd();
    }
    return false;
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
    if (this.remaining > 0) return;
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

  /** The message is complete: onMessageEnd, then a fresh message. */
  /** @internal parser/ only */
  messageEnd(): void {
    this.callMessageEnd();
    this.reset();
  }
}
