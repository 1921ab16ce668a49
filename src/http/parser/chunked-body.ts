/**
 * The message parser's chunked-body states (message-parser.ts): the chunk-size line, the CRLF after chunk
 * data, trailers. Functions of the parser's state, called from MessageParser.execute() only; they read and
 * write the parser's internal members as its own methods would. Trailer lines are read as field lines
 * (head-lines.ts); chunk sizes: field-line.ts; leniency: docs/http.md "Leniency".
 */
import { chunkSize, chunkSizeLenient, CHUNK_BAD, CHUNK_BLANK_LINE } from './field-line.js';
import { field } from './head-lines.js';
import type { MessageParser } from './message-parser.js';
import { ST_CHUNK_DATA, ST_CHUNK_SIZE, ST_TRAILERS } from './types.js';
import { QUIRK_CHUNK_DATA_JUNK, QUIRK_CHUNK_EMPTY_LINE, QUIRK_CHUNK_NO_FINAL_CRLF, QUIRK_CLOSE_BEFORE_END } from '../quirks.js';

/** A chunk-size line (strict, then the leniency of the role): chunk data, or the trailers after size 0. True: stop (error). */
export function chunkSizeLine(p: MessageParser): boolean {
  if (!p.nextLine()) return false;
  const b = p.lines.buf!;
  let size = chunkSize(b, p.lines.start, p.lines.end);
  if (size === CHUNK_BAD) {
    size = chunkSizeLenient(b, p.lines.start, p.lines.end, p.role === 1, p);
    if (size === CHUNK_BAD) return p.fail('bad_chunk_size');
    if (size === CHUNK_BLANK_LINE) {
      p.quirks |= QUIRK_CHUNK_EMPTY_LINE;
      return false;
    }
  }
  p.remaining = size;
  if (size > 0) p.state = ST_CHUNK_DATA;
  else {
    p.state = ST_TRAILERS;
    p.quirks = (p.quirks & ~QUIRK_CLOSE_BEFORE_END) | QUIRK_CHUNK_NO_FINAL_CRLF; // until the final CRLF arrives
  }
  return false;
}

/** The line end after chunk data; anything else is `bad_chunk_end`. True: stop (error). */
export function chunkEnd(p: MessageParser): boolean {
  if (!p.nextLine()) return false;
  if (p.lines.end !== p.lines.start) {
    p.quirks |= QUIRK_CHUNK_DATA_JUNK;
    return p.fail('bad_chunk_end');
  }
  p.state = ST_CHUNK_SIZE;
  return false;
}

/** A trailer field line, or the blank line that ends the message (trailers handed to onTrailers). */
export function trailerLine(p: MessageParser): boolean {
  if (!p.nextLine()) return false;
  if (p.lines.end !== p.lines.start) return field(p, p.trailers);
  p.quirks &= ~QUIRK_CHUNK_NO_FINAL_CRLF;
  if (p.trailers.length > 0) {
    try {
      p.owner.onTrailers(p, p.trailers);
    } catch (err) {
      p.internalError = err;
    }
  }
  p.messageEnd();
  return false;
}
