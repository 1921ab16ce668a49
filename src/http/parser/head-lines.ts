/**
 * The message parser's head (message-parser.ts): the start line (or the HTTP/0.9-style reply that a first
 * response without one is read as), the field lines, and the blank line that hands the head to the owner
 * (onHead) and sets up the body as framed. Functions of the parser's state, called from
 * MessageParser.execute() (and field() for trailer lines from chunked-body.ts) only; they read and write
 * the parser's internal members as its own methods would. Line parsing: start-line.ts, field-line.ts;
 * leniency: docs/http.md "Leniency".
 */
import {
  asciiSlice, fieldBytes, fieldOther, foldLevel, hasZero, FIELD_BAD, FIELD_BARE_CR,
} from './field-line.js';
import type { MessageParser } from './message-parser.js';
import { LINE_BAD, LINE_SIMPLE, mayBeStatusLine, requestLine, statusLine, STATUS_BAD, STATUS_LENIENT } from './start-line.js';
import { HEAD_NO_BODY, HEAD_STOP, ST_CHUNK_SIZE, ST_HEADER, ST_RAW, ST_SIZED } from './types.js';
import { QUIRK_CLOSE_BEFORE_END, QUIRK_HTTP09_RESPONSE, QUIRK_STATUS_LINE } from '../quirks.js';

/** The start line, or an empty line before one; an HTTP/0.9-style reply when a first response has none. True: stop execute(). */
export function startLine(p: MessageParser): boolean {
  if (!p.nextLine()) {
    // An HTTP/0.9-style reply is known from its first bytes; the rest of the line need not come.
    if (p.role === 1 && p.messages === 0 && !mayBeStatusLine(p.lines.held!, 0, p.lines.heldLength)) return simpleResponse(p, false);
    return false;
  }
  const b = p.lines.buf!;
  if (p.lines.end === p.lines.start) {
    p.quirks = 0; // an empty line between messages: not part of the next one
    return false;
  }
  const line = asciiSlice(b, p.lines.start, p.lines.end);
  const info = p.info;
  if (p.role === 1) {
    const r = statusLine(line, info);
    if (r === STATUS_BAD) {
      // A line meant as a status line (`HTTP/...`) that is not one stays an error, as in Chromium.
      if (p.messages > 0 || mayBeStatusLine(b, p.lines.start, p.lines.end)) return p.fail('bad_status_line');
      return simpleResponse(p, true);
    }
    if (r === STATUS_LENIENT) p.quirks |= QUIRK_STATUS_LINE;
    p.state = ST_HEADER;
    return false;
  }
  const r = requestLine(line, info, p.data!, p.offset, p.end, p);
  if (r === LINE_BAD) return p.fail('bad_request_line');
  if (info.url.indexOf('\u0000') >= 0 && hasZero(b, p.lines.start, p.lines.end)) p.nulByte = true;
  if (r === LINE_SIMPLE) {
    p.callHead(); // HTTP/0.9: no fields, no body, whatever the owner answers
    p.messageEnd();
    return false;
  }
  p.state = ST_HEADER;
  return false;
}

/** One header line, or the blank line ending the head. True: stop execute(). */
export function fieldLine(p: MessageParser): boolean {
  if (!p.nextLine()) return false;
  if (p.lines.end === p.lines.start) return endOfHead(p);
  return field(p, p.info.headers);
}

/** The field (or trailer) line just read, into `headers`; notes obs-fold. True: stop (error). */
export function field(p: MessageParser, headers: string[]): boolean {
  const b = p.lines.buf!;
  const s = p.lines.start;
  const e = p.lines.end;
  const q = fieldBytes(b, s, e, headers);
  if (q >= 0) {
    p.quirks |= q;
    if (q !== 0 && hasZero(b, s, e)) p.nulByte = true;
    return false;
  }
  const c = b[s]! & 0x7f;
  if (c === 0x20 || c === 0x09) {
    const level = foldLevel(headers, p.role === 1);
    if (level > p.foldSeen) p.foldSeen = level;
  }
  const r = fieldOther(b, s, e, headers, p.role === 1);
  if (r === FIELD_BARE_CR) return p.fail('bare_cr');
  if (r === FIELD_BAD) return p.fail('bad_field');
  p.quirks |= r;
  if (r !== 0 && hasZero(b, s, e)) p.nulByte = true;
  return false;
}

/** The blank line: onHead, then the body as framed. True: stop execute(). */
function endOfHead(p: MessageParser): boolean {
  p.chunked = false;
  p.length = 0;
  const action = p.callHead();
  if (action === HEAD_STOP) {
    p.messageEnd();
    return true;
  }
  if (action === HEAD_NO_BODY) {
    p.messageEnd();
  } else if (p.chunked) {
    p.state = ST_CHUNK_SIZE;
    p.quirks |= QUIRK_CLOSE_BEFORE_END;
  } else if (p.length === null) {
    p.state = ST_RAW;
  } else if (p.length > 0) {
    p.remaining = p.length;
    p.state = ST_SIZED;
    p.quirks |= QUIRK_CLOSE_BEFORE_END;
  } else {
    p.messageEnd();
  }
  return false;
}

/**
 * The first response does not start with a status line: an HTTP/0.9-style reply (Chromium reads one on
 * the default ports): status 0, version 0.9, no fields, the body is every byte until close, those read
 * so far included: the line just read (`lineRead`), else the held bytes.
 */
function simpleResponse(p: MessageParser, lineRead: boolean): boolean {
  const info = p.info;
  info.versionMajor = 0;
  info.versionMinor = 9;
  p.quirks |= QUIRK_HTTP09_RESPONSE;
  const lines = p.lines;
  let bytes = lines.held === null ? null : lines.held.subarray(0, lines.heldLength);
  lines.held = null;
  if (lineRead) {
    // Read again from the data: the line whole, or after the joined held part, its LF.
    if (lines.buf === p.data) p.offset = lines.from;
    else {
      bytes = lines.buf!.subarray(0, lines.heldLength);
      p.offset--;
    }
  }
  const action = p.callHead();
  if (action !== HEAD_NO_BODY && action !== HEAD_STOP) {
    p.state = ST_RAW;
    if (bytes !== null) p.deliver(bytes);
    return false;
  }
  p.messageEnd();
  return action === HEAD_STOP;
}
