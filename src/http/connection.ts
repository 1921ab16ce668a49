/**
 * One TCP connection of the HTTP stage. It owns the two sides (request-side.ts, response-side.ts: parser,
 * mode and buffers of each direction), the exchange queue (FIFO pairing, emission in request order), the
 * loss tracker and the role probe. It routes each StreamConsumer call to the side of that direction and
 * answers the sides' requests through `Pairing` (side-types.ts): open an exchange for a request head,
 * answer the oldest unanswered request, record a loss, begin a tunnel.
 *
 * A response head, from bytes to exchange: onData -> ResponseSide.take -> its parser's onHead
 * (ResponseSide.onHead) -> answerOldest below (ExchangeQueue.answer, LossTracker) -> the body -> onMessageEnd
 * -> messageDone below -> ExchangeQueue.emitReady -> the sink.
 *
 * Nothing here throws: bad input is flagged on the exchange, counted, and parsing resynchronises.
 */
import type { CloseReason, ConnectionInfo, Direction, StreamConsumer } from '../reassembly/types.js';
import type { HttpContext } from './context.js';
import { admitRequest, exchangeForHead, lostRequestPlaceholder } from './exchange-open.js';
import { ExchangeQueue } from './exchange-queue.js';
import { LossTracker } from './loss-tracker.js';
import { finishRequest, finishResponse } from './message-end.js';
import type { HeadInfo } from './parser/message-parser.js';
import type { PendingExchange } from './pending-exchange.js';
import { RequestSide } from './request-side.js';
import { ResponseSide } from './response-side.js';
import { RoleProbe } from './role-probe.js';
import { Http2Connection } from '../http2/connection.js';
import type { EndingSide } from './side-ending.js';
import { ROLE_REQUEST, ROLE_RESPONSE, type Pairing, type Role } from './side-types.js';

export class HttpConnection implements StreamConsumer, Pairing {
  readonly conn: ConnectionInfo;
  readonly ctx: HttpContext;
  private readonly request: RequestSide;
  private readonly response: ResponseSide;
  /** The sides by role. */
  private readonly sides: [EndingSide, EndingSide];
  private readonly roles: RoleProbe;
  private readonly queue: ExchangeQueue;
  private readonly loss = new LossTracker();
  /** A CONNECT tunnel began: requests opened from now on are inside it (flag `tunneled`). */
  private tunneled = false;
  private closed = false;
  /** A request or response head was found (see `inStep`). */
  private headSeen = false;

  constructor(conn: ConnectionInfo, ctx: HttpContext) {
    this.conn = conn;
    this.ctx = ctx;
    this.request = new RequestSide(this);
    this.response = new ResponseSide(this);
    this.sides = [this.request, this.response];
    this.roles = new RoleProbe(conn.rolesGuessed, ctx.counters);
    this.queue = new ExchangeQueue(ctx, conn);
    if (conn.midStream) {
      // midStream with certain roles: the assembler resumed a connection it had evicted
      this.request.startMidStream(!conn.rolesGuessed);
      this.response.startMidStream(false);
    }
  }

  // ---- StreamConsumer ----

  onData(dir: Direction, data: Buffer, tsSec: number, tsNsec: number): void {
    if (this.closed || data.length === 0) return;
    const h2 = this.h2;
    if (h2 !== null && !this.request.hasQueued() && !this.response.hasQueued()) {
      h2.onData(this.roles.roleOf[dir], data, tsSec, tsNsec); // after the h2c switch: straight to HTTP/2
      return;
    }
    if (!this.roles.decided) {
      const all = this.roles.decide(dir, data, tsSec, tsNsec);
      if (this.roles.decided) this.queueKept(dir === 0 ? 1 : 0);
      if (all === null) return;
      data = all;
    }
    const role = this.roles.roleOf[dir];
    if (role === ROLE_RESPONSE) {
      this.queue.responseSeen = true;
      if (this.response.holdEarly(data, tsSec, tsNsec)) return;
    }
    if (this.request.hasQueued() || this.response.hasQueued()) this.drain(); // they precede this data
    this.sides[role].take(data, tsSec, tsNsec);
    this.drain();
  }

  onGap(dir: Direction, length: number, tsSec: number, tsNsec: number): void {
    if (this.closed) return;
    this.flushHeld();
    const role = this.roles.roleOf[dir];
    if (this.h2 !== null) {
      this.h2.onGap(role, length, tsSec, tsNsec);
      return;
    }
    if (role === ROLE_RESPONSE) this.queue.responseSeen = true;
    this.ctx.counters.inc('http.gaps');
    const outcome = this.sides[role].gap(length, tsSec, tsNsec);
    if (outcome !== 'in_body') this.recordLoss(role, outcome === 'at_boundary', tsSec, tsNsec);
    this.drain();
  }

  onClose(_reason: CloseReason, tsSec: number, tsNsec: number): void {
    if (this.closed) return;
    this.flushHeld();
    this.closed = true;
    const rq = this.request;
    rq.close(tsSec, tsNsec);
    this.response.close(tsSec, tsNsec);
    for (const ex of this.queue.pending()) {
      if (!ex.requestDone) finishRequest(this.ctx, ex, rq.tsSec, rq.tsNsec, 0);
    }
    this.queue.giveUpAll();
    this.queue.emitReady(this.roles.swapped);
    const ignored = rq.ignoredBytes + this.response.ignoredBytes;
    if (ignored > 0) this.ctx.counters.inc('http.bytes_after_upgrade', ignored);
    this.h2?.onClose(_reason, tsSec, tsNsec);
  }

  // ---- replay ----

  /**
   * Runs the bytes queued to the sides, until none is left, then emits what is complete. Contract:
   * - called only at the top of a StreamConsumer call (before new data, when bytes are queued, and at its
   *   end), never from a parser callback; so a side's parser is never re-entered;
   * - request bytes run before response bytes (a request precedes its answer): a paused request side whose
   *   request got its final answer resumes here, and held early response bytes are released once a request
   *   waits for them;
   * - within one chunk of responses, a response head that completes while request bytes wait stops and is
   *   parsed again after them (ResponseSide.onHead, runWaitingRequests), so it finds its request.
   */
  private drain(): void {
    const rq = this.request;
    const rs = this.response;
    for (;;) {
      if (rs.hasEarly() && this.queue.oldestUnanswered() !== null) rs.releaseEarly();
      if (rq.answered()) rq.resume();
      if (rq.hasQueued()) rq.runQueued();
      else if (rs.hasQueued()) rs.runQueued();
      else break;
    }
    this.queue.emitReady(this.roles.swapped);
  }

  /** A gap or the close: role guessing ends, kept and early bytes are queued as they stand and run. */
  private flushHeld(): void {
    if (!this.roles.decided) {
      this.roles.stop();
      this.queueKept(0);
      this.queueKept(1);
    }
    this.response.releaseEarly();
    this.drain();
  }

  /** Queues the role probe's kept prefix of `dir` to the side of its role. */
  private queueKept(dir: Direction): void {
    const kept = this.roles.takeKept(dir);
    if (kept === null) return;
    const role = this.roles.roleOf[dir];
    if (role === ROLE_RESPONSE) this.queue.responseSeen = true;
    this.sides[role].enqueue([kept], this.roles.keptSec[dir], this.roles.keptNsec[dir]);
  }

  /**
   * A gap outside a known-length body (policy: loss-tracker.ts, docs/http.md). At a request boundary a
   * request was lost: a placeholder keeps its place in the FIFO. At a response boundary the oldest unanswered
   * request lost its response: it is given up (`interrupted`, no response, `http.response_lost`).
   */
  private recordLoss(role: Role, atBoundary: boolean, sec: number, nsec: number): void {
    if (role === ROLE_REQUEST) {
      if (atBoundary) this.queue.push(lostRequestPlaceholder(this.ctx, this.queue.nextDepth(), sec, nsec));
      this.loss.onRequestLoss();
      return;
    }
    if (atBoundary) {
      const ex = this.queue.answer();
      if (ex !== null) {
        ex.flag('interrupted');
        finishResponse(this.ctx, ex, sec, nsec, 0);
        this.ctx.counters.inc('http.response_lost');
      }
    }
    this.loss.onResponseLoss(this.queue.unanswered);
  }

  /**
   * Whether the stage has found an HTTP/1 message on the connection (a head seen or being parsed). Until
   * then, a connection seen mid-stream may still turn out to be HTTP/2 (src/protocol/switch.ts).
   */
  get inStep(): boolean {
    return this.headSeen || this.request.headInProgress();
  }

  /**
   * The connection turned out to be HTTP/2 while no message was found here (src/protocol/switch.ts): the bytes
   * still held unread (the role probe's short first pieces, a side's possible message start, an early
   * response) are counted `http.bytes_discarded.mid_stream`, as the bytes skipped before them were.
   */
  dropUnread(): void {
    let n = this.request.unreadBytes() + this.response.unreadBytes();
    for (const d of [0, 1] as const) n += this.roles.takeKept(d)?.length ?? 0;
    if (n > 0) this.ctx.counters.inc('http.bytes_discarded.mid_stream', n);
  }

  // ---- Pairing (called by the sides) ----

  openRequest(info: HeadInfo, startSec: number, startNsec: number, tsSec: number, tsNsec: number): PendingExchange {
    const ex = exchangeForHead(this.queue.nextDepth(), info, startSec, startNsec);
    this.headSeen = true;
    if (this.conn.midStream) ex.flag('mid_stream');
    if (this.roles.swapped) ex.flag('roles_swapped');
    if (this.tunneled) ex.flag('tunneled');
    this.loss.onRequestOpened(ex);
    admitRequest(this.ctx, this.conn, ex, info, tsSec, tsNsec);
    this.queue.push(ex);
    return ex;
  }

  requestHeadLost(tsSec: number, tsNsec: number): void {
    this.ctx.counters.inc('http.request_head_lost');
    this.queue.push(lostRequestPlaceholder(this.ctx, this.queue.nextDepth(), tsSec, tsNsec));
  }

  simpleRequestOpened(): void {
    this.response.cutOrphan();
  }

  oldestUnanswered(): PendingExchange | null {
    return this.queue.oldestUnanswered();
  }

  answerOldest(): PendingExchange | null {
    this.headSeen = true;
    const ex = this.queue.answer();
    if (ex !== null) this.loss.onResponsePaired(ex, this.queue.unanswered);
    return ex;
  }

  responseWithoutRequest(): void {
    this.headSeen = true;
    this.ctx.counters.inc('http.response_without_request');
    this.loss.onOrphanResponse(this.queue.requestCount);
  }

  /**
   * Whether response bytes arriving while no request waits may be held for a request: while a request head
   * is half received, or on a connection seen from its SYN that already carried a request (a keep-alive
   * response whose request was captured late) and lost none. Not for the first bytes of a connection (a
   * server that talks first) nor mid-stream ones (the response may answer a request from before the capture).
   */
  earlyResponseMayWait(): boolean {
    if (this.queue.oldestUnanswered() !== null) return false;
    if (this.request.headInProgress()) return true;
    return !this.conn.midStream && this.queue.requestCount > 0 && this.loss.mayHoldEarly();
  }

  requestBytesWaiting(): boolean {
    return this.request.hasQueued() || this.request.answered();
  }

  runWaitingRequests(): void {
    if (this.request.answered()) this.request.resume();
    this.request.runQueued();
  }

  tunnelBegins(connect: boolean): void {
    this.ctx.counters.inc('http.upgraded');
    if (connect) this.tunneled = true;
    this.request.tunnelBegins(connect);
  }

  messageDone(): void {
    this.queue.emitReady(this.roles.swapped);
  }

  /**
   * HTTP/2 after a 101 to `Upgrade: h2c` (switchToH2): later data goes to it directly; the bytes of the chunk
   * that carried the 101, and bytes still queued in a side, reach it through the sides' `ignore` mode.
   */
  h2: Http2Connection | null = null;

  /** The upgrade exchange is not emitted here: it goes on as HTTP/2 stream 1. */
  switchToH2(ex: PendingExchange | null): void {
    this.h2 = new Http2Connection(this.conn, this.ctx, true, ex);
    if (ex !== null) ex.dropped = true;
  }
}
