/**
 * The vocabulary shared by a connection and its two sides (request-side.ts, response-side.ts): roles,
 * modes, what a head handler decided, what a gap did, and `Pairing`, the one interface through which a
 * side reaches its connection. Types and two constants only: every file of the stage may import it.
 */
import type { ConnectionInfo, StreamConsumer } from '../reassembly/types.js';
import type { HttpContext } from './context.js';
import type { HeadInfo } from './parser/message-parser.js';
import type { PendingExchange } from './pending-exchange.js';

/** The parser's role numbers (MessageParser.role): the request side parses what the client sends. */
export type Role = 0 | 1;
export const ROLE_REQUEST: Role = 0;
export const ROLE_RESPONSE: Role = 1;

/**
 * What a side does with the bytes it is given:
 *  parse         the message parser reads them
 *  resync        discarded until a plausible message start (resync.ts)
 *  paused        request side after a CONNECT / Upgrade request: held until the answer
 *  raw09         response side: the raw reply to an HTTP/0.9 request, until close
 *  tunnel_probe  first bytes inside a CONNECT tunnel: HTTP (parse them) or not (ignore)
 *  ignore        after an upgrade or inside a tunnel that is not HTTP: counted, not parsed
 *  discard       request side after a head whose body framing cannot be known (`bad_field`): every later
 *                byte is discarded (`http.bytes_discarded.resync`), since it may be body data
 */
export type Mode = 'parse' | 'resync' | 'paused' | 'raw09' | 'tunnel_probe' | 'ignore' | 'discard';

/**
 * What the head handler (the side's onHead) decided, acted on by the side after execute() returns:
 *  continue  nothing to do (the body, if any, is parsed in the same call)
 *  fail      the head is malformed (`Side.failReason`): the message ends with parse_error, the side resyncs
 *  pause     request side: a CONNECT / Upgrade request waits for its answer
 *  tunnel    response side: 2xx to CONNECT, the bytes after it may be HTTP (tunnel_probe)
 *  upgrade   response side: 101, HTTP ends on the connection
 *  retry     response side: request bytes wait to be run first; the head is parsed again afterwards
 */
export type HeadOutcome = 'continue' | 'fail' | 'pause' | 'tunnel' | 'upgrade' | 'retry';

/**
 * What a gap did to a side: skipped inside a body of known remaining length (pairing unaffected), hit a
 * message boundary (a whole message may be lost), or interrupted a message (or a resync) in progress.
 */
export type GapOutcome = 'in_body' | 'at_boundary' | 'interrupted';

/** Counter suffix of bytes a resyncing side discards (`http.bytes_discarded.<reason>`). */
export type DiscardReason = 'mid_stream' | 'resync';

/**
 * What a side may ask of its connection (implemented by HttpConnection). The connection owns the
 * exchange queue (FIFO pairing), the loss tracker and the other side; a side never touches them directly.
 */
export interface Pairing {
  readonly ctx: HttpContext;
  readonly conn: ConnectionInfo;
  /** Opens the exchange of a request head (complete, or partial after an error) and asks the policy. */
  openRequest(info: HeadInfo, startSec: number, startNsec: number, tsSec: number, tsNsec: number): PendingExchange;
  /** A request was cut before its start line was complete: a placeholder keeps its place in the FIFO. */
  requestHeadLost(tsSec: number, tsNsec: number): void;
  /** An HTTP/0.9 request was opened: a response without request in progress ends (response side). */
  simpleRequestOpened(): void;
  /** The request the next final response answers, without taking it (null when none waits). */
  oldestUnanswered(): PendingExchange | null;
  /** A final response starts: takes the oldest unanswered request (null when none waits). */
  answerOldest(): PendingExchange | null;
  /** A response head found no request waiting (counted; pairing doubt recorded). */
  responseWithoutRequest(): void;
  /** Whether response bytes arriving while no request waits may be held for a request still to come. */
  earlyResponseMayWait(): boolean;
  /** True when request bytes are waiting to be run (see HttpConnection.drain for the ordering contract). */
  requestBytesWaiting(): boolean;
  /** Runs the waiting request bytes now (called by the response side between messages, never from a callback). */
  runWaitingRequests(): void;
  /** 101 or 2xx to CONNECT: `connect` says whether the tunnel may carry HTTP. */
  tunnelBegins(connect: boolean): void;
  /** A message ended: exchanges that are complete are emitted (releasing their body budget early). */
  messageDone(): void;
  /** 101 to `Upgrade: h2c`: the connection goes on as HTTP/2, `ex` (the upgrade request) is stream 1 (docs/http2.md). */
  switchToH2(ex: PendingExchange | null): void;
  /** After switchToH2: takes the bytes after the switch (`role` as the direction), else null. */
  readonly h2: StreamConsumer | null;
}
