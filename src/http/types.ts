/**
 * HTTP stage contract: exchanges (a request and its response) produced from a connection's two
 * ordered byte streams. The HTTP layer knows nothing of TCP: it sees StreamConsumer calls only.
 */
import type { ConnectionInfo } from '../reassembly/types.js';

/** Header list in the order sent: [name, value] with the name as sent. */
export type HeaderList = Array<[string, string]>;

export interface MessageBody {
  /** Decoded entity size in bytes: de-chunked and decompressed (Zeek's *_body_len). */
  length: number;
  /** True when `bytes` holds fewer bytes than `length` (capture cap or decode cap hit). */
  truncated: boolean;
  /** Captured decoded bytes, at most --max-http-length; owned by the exchange (a copy). */
  bytes: Buffer | null;
  /** Content-Encoding that was decoded ('gzip', 'deflate', 'br'), or null. */
  encoding: string | null;
}

export interface HttpRequest {
  method: string;
  /** Request-target as sent. */
  target: string;
  /** Path without query. */
  path: string;
  /** Host header as sent (port included), or null. */
  host: string | null;
  /** "1.1", "1.0", "0.9", or "2" (HTTP/2: target, host and scheme from the pseudo-header fields). */
  version: string;
  headers: HeaderList;
  body: MessageBody;
  /** HTTP/2 only: the `:scheme` pseudo-header field. */
  scheme?: string;
}

export interface HttpResponse {
  status: number;
  reason: string;
  version: string;
  headers: HeaderList;
  body: MessageBody;
  /** 1xx status codes that preceded this response, in order. */
  informational: number[];
}

/**
 * Exchange flags (strings in the output `flags` array):
 *  gap          bytes were missing inside a body of known length; the body is short, the exchange kept
 *  interrupted  bytes were missing elsewhere, or the stream ended mid-message, or a loss made this
 *               exchange's pairing or depth uncertain (docs/http.md)
 *  mid_stream   the connection was already open when capture started
 *  truncated    a body was cut at --max-http-length or by the decompression cap
 *  parse_error  the message was malformed; what was parsed is reported
 *  no_response  the connection ended before any response
 *  decode_error the Content-Encoding could not be applied: the body is the decoded prefix (truncated or
 *               corrupt data) or, when nothing decoded, the bytes as sent with `encoding: null`
 *  upgraded     the response switched protocols (101) or opened a CONNECT tunnel
 *  roles_swapped client and server were swapped after looking at content
 *  headers_dropped the request's header fields were not kept (head budget)
 *  tunneled     the exchange was carried inside a CONNECT tunnel (cleartext HTTP after the 2xx)
 *  one_sided    no response, and nothing of the response direction was seen on the connection (a capture
 *               of one direction only, or a server that never sent a byte)
 *  lenient      the framing was unusual but a mainstream client reads it so; counters http.lenient.<quirk>
 *  unknown_encoding the Content-Encoding is not one the sensor decodes: the bytes as sent, `encoding: null`
 */
export type ExchangeFlag =
  | 'gap' | 'interrupted' | 'mid_stream' | 'truncated' | 'parse_error' | 'no_response' | 'decode_error'
  | 'upgraded' | 'roles_swapped' | 'headers_dropped' | 'tunneled' | 'one_sided' | 'lenient' | 'unknown_encoding'
  // HTTP/2 (docs/http2.md): stream reset, stream beyond a GOAWAY's last id, server push, undecodable header block
  | 'reset' | 'goaway' | 'pushed' | 'header_error';

/** gRPC facts of an HTTP/2 exchange whose request content-type is application/grpc... */
export interface GrpcInfo {
  /** `grpc-status` from the trailers (or the headers of a trailers-only response), or null. */
  status: number | null;
  message: string | null;
  /** Length-prefixed messages seen in each direction. */
  requestMessages: number;
  responseMessages: number;
}

export interface HttpExchange {
  conn: ConnectionInfo;
  /** 1-based order of the request on its connection (Zeek's trans_depth). */
  depth: number;
  request: HttpRequest;
  response: HttpResponse | null;
  /** True when the client and server of `conn` were swapped after looking at content. */
  rolesSwapped: boolean;
  /** First byte of the request: seconds and nanoseconds since the epoch. */
  startSec: number;
  startNsec: number;
  /** Last byte of the response (or of the request when there is no response). */
  endSec: number;
  endNsec: number;
  flags: ExchangeFlag[];
  /** HTTP/2 only: the stream id of the exchange on its connection. */
  streamId?: number;
  /** HTTP/2 gRPC only. */
  grpc?: GrpcInfo;
}

/** What the policy stage sees at request-head time (no body yet). */
export interface RequestHead {
  method: string;
  target: string;
  path: string;
  host: string | null;
  headers: HeaderList;
  userAgent: string | null;
}

/**
 * Decided once per request, when its head is parsed. `false` drops the exchange: its body is not
 * buffered or decoded and its response is parsed only to stay in sync, then discarded.
 */
export interface RequestPolicy {
  admit(head: RequestHead, conn: ConnectionInfo, tsSec: number, tsNsec: number): boolean;
}

/** Receives finished exchanges. Must not throw; owns the exchange object after the call. */
export interface ExchangeSink {
  onExchange(ex: HttpExchange): void;
}
