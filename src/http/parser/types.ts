/**
 * The parser's outward contract (parser/message-parser.ts): the head it reports, what the owner answers,
 * the owner's callbacks, the states the stage looks at, the error reasons.
 */
import type { MessageParser } from './message-parser.js';

/** The parsed head of a message. */
export interface HeadInfo {
  versionMajor: number;
  versionMinor: number;
  /** Flat [name, value, name, value, ...] in the order sent. */
  headers: string[];
  /** Request: the method token ('' for a response). */
  method: string;
  /** Request: the target as sent ('' for a response). */
  url: string;
  /** Response: the status code (0 for a request). */
  statusCode: number;
  statusMessage: string;
}

/** What onHead tells the parser: parse the body as set by setFraming, no body, no body and stop execute(). */
export type HeadAction = 0 | 1 | 2;
export const HEAD_BODY: HeadAction = 0;
export const HEAD_NO_BODY: HeadAction = 1;
export const HEAD_STOP: HeadAction = 2;

/** What a parser reports to. Every message that reaches onHead ends with onMessageEnd (also after HEAD_STOP). */
export interface ParserOwner {
  onHead(p: MessageParser, info: HeadInfo): HeadAction;
  onBody(p: MessageParser, chunk: Buffer): void;
  onTrailers(p: MessageParser, trailers: string[]): void;
  onMessageEnd(p: MessageParser): void;
}

/** Parser states. The head states come first (inHead: state <= ST_HEADER). */
export const ST_START = 0;
export const ST_HEADER = 1;
export const ST_SIZED = 2;
export const ST_RAW = 3;
export const ST_CHUNK_SIZE = 4;
export const ST_CHUNK_DATA = 5;
export const ST_CHUNK_END = 6;
export const ST_TRAILERS = 7;

/** Parse error reasons (counter suffixes, `http.parse_error.<reason>`). */
export type ParseErrorReason = 'bad_request_line' | 'bad_status_line' | 'bare_cr' | 'bad_field' | 'bad_chunk_size' | 'bad_chunk_end';
