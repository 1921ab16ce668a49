/**
 * HTTP/1.x over one TCP connection: two parsers (request side, response side), FIFO pairing of
 * responses with requests (ExchangeQueue), exchanges emitted in request order.
 *
 * Call order (StreamConsumer): onData / onGap per direction in stream order, then one onClose. Nothing
 * here throws: bad input is flagged on the exchange, counted, and parsing resynchronises.
 * Parser callbacks (ParserOwner) only record state; emission happens after execute() returns.
 *
 * The work is split by concern: head-handlers.ts (a head is complete: open / pair), message-end.ts
 * (finish, fail, interrupt, losses), pause.ts (CONNECT / Upgrade), early-response.ts, role-probe.ts,
 * loss-tracker.ts (pairing after a loss),
 * exchange-queue.ts (FIFO and emission). This file routes bytes and owns the per-connection state.
 */
import type { CloseReason, ConnectionInfo, Direction, StreamConsumer } from '../reassembly/types.js';
import type { HttpContext } from './context.js';
import { holdEarlyResponse, releaseEarlyResponse } from './early-response.js';
import { ExchangeQueue } from './exchange-queue.js';
import { newFraming, type Framing } from './framing.js';
import { beginSimpleResponse, onRequestHead, onResponseHead, openLostRequest, openRequest } from './head-handlers.js';
import { enterTunnel, holdPaused, resumeRequests } from './pause.js';
import { LossTracker } from './loss-tracker.js';
import {
  failMessage, finishRequest, finishResponse, gapWhileParsing, interrupt, recordLoss, GAP_AT_BOUNDARY, GAP_IN_BODY, GAP_INTERRUPTED,
} from './message-end.js';
import { ST_RAW, type HeadAction, type HeadInfo, type MessageParser, type ParserOwner } from './parser/message-parser.js';
import type { PendingExchange } from './pending-exchange.js';
import { resyncSide, type ResyncHost } from './resync.js';
import { RoleProbe } from './role-probe.js';
import {
  Side, MODE_PARSE, MODE_PAUSED, MODE_RAW09, MODE_RESYNC, ROLE_REQUEST, ROLE_RESPONSE,
  STOP_NONE, STOP_PAUSE,
} from './side.js';

export class HttpConnection implements StreamConsumer, ParserOwner, ResyncHost {
  readonly conn: ConnectionInfo;
  readonly ctx: HttpContext;
  readonly sides: [Side, Side];
  readonly roles: RoleProbe;
  /** Exchanges not yet emitted, and FIFO pairing. */
  readonly queue: ExchangeQueue;
  /** Losses (gaps outside known-length bodies) and the doubt they cast on pairing and depth. */
  readonly loss: LossTracker;
  /** The CONNECT / Upgrade request whose answer the paused request side waits for. */
  pausedEx: PendingExchange | null = null;
  /** Reused by decideFraming for every head of this connection. */
  readonly framing: Framing = newFraming();
  /** A tunnel (101, 2xx to CONNECT) ended HTTP on this connection. */
  tunnel = false;
  /** Bytes ignored after the tunnel began (counted at close). */
  ignoredBytes = 0;
  private closed = false;

  constructor(conn: ConnectionInfo, ctx: HttpContext) {
    this.conn = conn;
    this.ctx = ctx;
    this.sides = [new Side(ROLE_REQUEST, this), new Side(ROLE_RESPONSE, this)];
    this.roles = new RoleProbe(conn.rolesGuessed);
    this.queue = new ExchangeQueue(ctx, conn);
    this.loss = new LossTracker();
    if (conn.midStream) {
      for (const s of this.sides) {
        s.startResync(true);
        s.discardReason = 'mid_stream';
      }
      // midStream with certain roles: the assembler resumed a connection it had evicted
      this.sides[ROLE_REQUEST].segmentStartOnly = !conn.rolesGuessed;
    }
  }

  get rolesSwapped(): boolean {
    return this.roles.swapped;
  }

  // ---- StreamConsumer ----

  onData(dir: Direction, data: Buffer, tsSec: number, tsNsec: number): void {
    if (this.closed || data.length === 0) return;
    if (!this.roles.decided) {
      const all = this.roles.decide(this, dir, data);
      if (all === null) return;
      data = all;
    }
    const role = this.roles.roleOf[dir];
    const s = this.sides[role];
    if (role === ROLE_RESPONSE && holdEarlyResponse(this, s, data, tsSec, tsNsec)) return;
    s.tsSec = tsSec;
    s.tsNsec = tsNsec;
    this.feed(role, data, 0);
    this.afterFeed();
  }

  onGap(dir: Direction, length: number, tsSec: number, tsNsec: number): void {
    if (this.closed) return;
    this.roles.flush(this);
    releaseEarlyResponse(this);
    const role = this.roles.roleOf[dir];
    const s = this.sides[role];
    s.tsSec = tsSec;
    s.tsNsec = tsNsec;
    this.ctx.counters.inc('http.gaps');
    let outcome = GAP_INTERRUPTED;
    if (s.mode === MODE_PARSE) outcome = gapWhileParsing(this, role, s, length);
    else if (s.mode === MODE_RESYNC) {
      s.carry = null;
      s.atLineStart = true;
    } else if (s.mode === MODE_PAUSED) s.heldBroken = true;
    else {
      outcome = GAP_IN_BODY; // raw 0.9 body (until close) or ignored tunnel bytes: pairing unaffected
      if (s.mode === MODE_RAW09 && s.ex !== null) {
        s.ex.flag('gap');
        s.ex.responseBody?.gap(length);
      }
    }
    if (outcome !== GAP_IN_BODY) recordLoss(this, role, s, outcome === GAP_AT_BOUNDARY);
    this.afterFeed();
  }

  onClose(_reason: CloseReason, tsSec: number, tsNsec: number): void {
    if (this.closed) return;
    this.roles.flush(this);
    releaseEarlyResponse(this);
    this.closed = true;
    for (const role of [ROLE_REQUEST, ROLE_RESPONSE] as const) {
      const s = this.sides[role];
      s.tsSec = tsSec;
      s.tsNsec = tsNsec;
      if (s.mode === MODE_PARSE) {
        const p = s.parser;
        if (p.state === ST_RAW && s.error === null) p.finish();
        else if (s.ex !== null || s.orphan || !p.atMessageStart()) interrupt(this, role, s);
      } else if (s.mode === MODE_RAW09 && s.ex !== null) {
        finishResponse(this, s.ex, s);
      } else if (s.mode === MODE_PAUSED && s.heldBytes > 0) {
        this.ctx.counters.inc('http.bytes_discarded.paused', s.heldBytes);
        s.held = [];
      }
    }
    const rq = this.sides[ROLE_REQUEST];
    for (const ex of this.queue.pending()) if (!ex.requestDone) finishRequest(this, ex, rq);
    this.queue.giveUpAll();
    this.queue.emitReady(this.rolesSwapped);
    if (this.ignoredBytes > 0) this.ctx.counters.inc('http.bytes_after_upgrade', this.ignoredBytes);
  }

  // ---- feeding ----

  /** Routes data[off..] through the side's current mode until consumed. */
  private feed(role: 0 | 1, data: Buffer, off: number): void {
    const s = this.sides[role];
    while (off < data.length) {
      switch (s.mode) {
        case MODE_PARSE:
          off = this.parse(role, s, data, off);
          break;
        case MODE_RESYNC:
          off = resyncSide(this, role, s, data, off);
          break;
        case MODE_PAUSED:
          holdPaused(this, s, data, off);
          return;
        case MODE_RAW09:
          if (s.ex !== null) {
            s.ex.responseBody?.write(data.subarray(off));
            s.ex.setEnd(s.tsSec, s.tsNsec);
          }
          return;
        default:
          this.ignoredBytes += data.length - off;
          return;
      }
    }
  }

  /** Feeds bytes to a side in its current mode (replays of kept or held bytes). */
  feedSide(role: 0 | 1, data: Buffer): void {
    this.feed(role, data, 0);
  }

  /** Called by resync with a found message start: the side parses again from there. */
  resumeParsing(s: Side): void {
    s.mode = MODE_PARSE;
    s.discardReason = 'resync';
  }

  private parse(role: 0 | 1, s: Side, data: Buffer, off: number): number {
    const p = s.parser;
    if (p.atMessageStart()) {
      s.msgStartSec = s.tsSec;
      s.msgStartNsec = s.tsNsec;
      if (role === ROLE_RESPONSE && !s.orphan) {
        const pair = this.queue.oldestUnanswered();
        if (pair !== null && pair.simple) {
          beginSimpleResponse(this, s);
          return off;
        }
      }
    }
    const r = p.execute(data, off, data.length - off);
    if (r < 0 || s.error !== null || p.internalError !== null) {
      let reason: string | null = s.error;
      if (reason === null) reason = p.internalError !== null ? 'internal' : p.error;
      if (p.internalError !== null) this.ctx.counters.inc('http.internal_error');
      const resumeAt = r < 0 ? p.offset : off + r;
      failMessage(this, role, s, reason ?? 'internal', true);
      return resumeAt > off && resumeAt <= data.length ? resumeAt : data.length;
    }
    const end = off + r;
    if (s.stop !== STOP_NONE) {
      if (s.stop === STOP_PAUSE) s.mode = MODE_PAUSED;
      else enterTunnel(this);
      s.stop = STOP_NONE;
      return end;
    }
    const limit = this.ctx.opts.maxHeaderBytes;
    if (p.inHead()) {
      if (p.headBytes > limit) {
        failMessage(this, role, s, 'header_too_large', false);
        return end;
      }
    } else if (p.pendingLineLength() > limit) {
      failMessage(this, role, s, 'line_too_long', false);
      return end;
    }
    return end > off ? end : data.length; // execute() always consumes; guard against a stall anyway
  }

  private afterFeed(): void {
    if (this.sides[ROLE_RESPONSE].earlyBytes > 0 && this.queue.oldestUnanswered() !== null) releaseEarlyResponse(this);
    const paused = this.pausedEx;
    if (paused !== null && (paused.response !== null || paused.responseDone)) resumeRequests(this);
    this.queue.emitReady(this.rolesSwapped);
  }

  /** See pause.ts (also called from a response callback). */
  resumeRequests(): void {
    resumeRequests(this);
  }

  // ---- pairing hooks (used by head-handlers.ts and message-end.ts) ----

  /** Opens the exchange of a request head (complete, or partial after an error). */
  openRequest(info: HeadInfo, s: Side): PendingExchange {
    return openRequest(this, info, s);
  }

  /** A response starts: takes the oldest unanswered request (null when none waits). */
  answerWithResponse(): PendingExchange | null {
    const ex = this.queue.answer();
    if (ex !== null) this.loss.onResponsePaired(ex, this.queue.unanswered);
    return ex;
  }

  /** A request was cut before its start line was complete: it existed but cannot be reported. */
  requestHeadLost(): void {
    this.ctx.counters.inc('http.request_head_lost');
    openLostRequest(this, this.sides[ROLE_REQUEST]);
  }

  // ---- ParserOwner ----

  onHead(p: MessageParser, info: HeadInfo): HeadAction {
    return p.role === ROLE_REQUEST ? onRequestHead(this, p, info) : onResponseHead(this, p, info);
  }

  onBody(p: MessageParser, chunk: Buffer): void {
    const ex = this.sides[p.role].ex;
    if (ex === null) return;
    const body = p.role === ROLE_REQUEST ? ex.requestBody : ex.responseBody;
    if (body !== null) body.write(chunk);
  }

  onTrailers(p: MessageParser, trailers: string[]): void {
    const ex = this.sides[p.role].ex;
    if (ex === null) return;
    const list = p.role === ROLE_REQUEST ? ex.request.headers : ex.response?.headers;
    if (list === undefined) return;
    for (let i = 0; i + 1 < trailers.length; i += 2) list.push([trailers[i], trailers[i + 1]]);
  }

  onMessageEnd(p: MessageParser): void {
    const s = this.sides[p.role];
    s.msgStartSec = s.tsSec;
    s.msgStartNsec = s.tsNsec;
    if (s.error !== null) return; // aborted: failMessage finishes it
    if (p.role === ROLE_RESPONSE) s.orphan = false;
    const ex = s.ex;
    if (ex === null) return;
    if (p.role === ROLE_REQUEST) finishRequest(this, ex, s);
    else finishResponse(this, ex, s);
    this.queue.emitReady(this.rolesSwapped); // early, so the body budget is released before the next message of this chunk
  }
}
