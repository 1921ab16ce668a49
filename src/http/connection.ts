/**
 * HTTP/1.x over one TCP connection: two parsers (request side, response side), FIFO pairing of
 * responses with requests, exchanges emitted in request order.
 *
 * Call order (StreamConsumer): onData / onGap per direction in stream order, then one onClose. Nothing
 * here throws: bad input is flagged on the exchange, counted, and parsing resynchronises.
 * Parser callbacks (ParserOwner) only record state; emission happens after execute() returns.
 */
import type { CloseReason, ConnectionInfo, Direction, StreamConsumer } from '../reassembly/types.js';
import type { HttpContext } from './context.js';
import type { MessageBody } from './types.js';
import { BodyCollector, BODY_DECODE_CAP, BODY_DECODE_ERROR, BODY_TRUNCATED_BY_BUDGET, BODY_TRUNCATED_BY_LENGTH } from './body.js';
import { codingOf } from './decoder.js';
import { decideFraming, newFraming, statusHasNoBody, FRAME_CHUNKED, FRAME_NONE, FRAME_SIZED, type Framing } from './framing.js';
import { FOLD_FRAMING, FOLD_PLAIN, type HeadInfo, type MessageParser, type ParserOwner } from './parser.js';
import { newRequest, newResponse, requestHead, PendingExchange } from './pending-exchange.js';
import {
  Side, MODE_IGNORE, MODE_PARSE, MODE_PAUSED, MODE_RAW09, MODE_RESYNC, ROLE_REQUEST, ROLE_RESPONSE,
  STOP_NONE, STOP_PAUSE, STOP_TUNNEL,
} from './side.js';
import { classifyAnyStart, resyncSide, type ResyncHost } from './resync.js';
import { MAX_START_PROBE } from './message-start.js';

/** Stock parser error codes to counter reasons. */
const ERROR_REASONS: Readonly<Record<string, string>> = {
  HPE_INVALID_CONSTANT: 'bad_status_line',
  HPE_LF_EXPECTED: 'bare_cr',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'conflicting_content_length',
  bad_request_line: 'bad_request_line',
  bad_chunk_size: 'bad_chunk_size',
};

function errorReason(err: Error): string {
  const code = (err as Error & { code?: string }).code;
  if (code !== undefined && ERROR_REASONS[code] !== undefined) return ERROR_REASONS[code];
  return err.message === 'Expected empty line' ? 'bad_chunk_end' : 'other';
}

function hasNul(info: HeadInfo): boolean {
  if (info.url !== undefined && info.url.indexOf('\u0000') >= 0) return true;
  const h = info.headers;
  for (let i = 0; i < h.length; i++) if (h[i].indexOf('\u0000') >= 0) return true;
  return false;
}

/**
 * An over-long head is reported with the header fields that fit in `limit` bytes (counting the start
 * line and ": " + CRLF per field), so the report does not depend on where the data was split.
 */
function trimOverlongHead(info: HeadInfo, isRequest: boolean, limit: number): void {
  let used = isRequest
    ? (info.method?.length ?? 0) + (info.url?.length ?? 0) + 12
    : 15 + (info.statusMessage?.length ?? 0);
  const h = info.headers;
  let keep = 0;
  for (; keep + 1 < h.length; keep += 2) {
    used += h[keep].length + h[keep + 1].length + 4;
    if (used > limit) break;
  }
  h.length = keep;
}

function versionOf(info: HeadInfo): string {
  return `${info.versionMajor}.${info.versionMinor}`;
}

export class HttpConnection implements StreamConsumer, ParserOwner, ResyncHost {
  readonly conn: ConnectionInfo;
  readonly ctx: HttpContext;
  readonly sides: [Side, Side];
  /** TCP direction -> role. */
  private readonly roleOf: [0 | 1, 0 | 1] = [ROLE_REQUEST, ROLE_RESPONSE];
  private rolesDecided: boolean;
  /** Guessed roles: per direction, a short first chunk kept until it shows a message start. */
  private readonly roleProbe: [Buffer | null, Buffer | null] = [null, null];
  rolesSwapped = false;
  /** Exchanges not yet emitted, in request order. Entries before `answerIdx` are answered (or given up). */
  private readonly queue: PendingExchange[] = [];
  private answerIdx = 0;
  private depth = 0;
  /** The CONNECT / Upgrade request whose answer the paused request side waits for. */
  private pausedEx: PendingExchange | null = null;
  private tunnel = false;
  private ignoredBytes = 0;
  private closed = false;
  private readonly framing: Framing = newFraming();

  constructor(conn: ConnectionInfo, ctx: HttpContext) {
    this.conn = conn;
    this.ctx = ctx;
    this.sides = [new Side(ROLE_REQUEST, this), new Side(ROLE_RESPONSE, this)];
    this.rolesDecided = !conn.rolesGuessed;
    if (conn.midStream) {
      for (const s of this.sides) {
        s.startResync(true);
        s.discardReason = 'mid_stream';
      }
    }
  }

  // ---- StreamConsumer ----

  onData(dir: Direction, data: Buffer, tsSec: number, tsNsec: number): void {
    if (this.closed || data.length === 0) return;
    if (!this.rolesDecided) {
      const all = this.decideRoles(dir, data);
      if (all === null) return;
      data = all;
    }
    const role = this.roleOf[dir];
    const s = this.sides[role];
    if (role === ROLE_RESPONSE && this.holdEarlyResponse(s, data, tsSec, tsNsec)) return;
    s.tsSec = tsSec;
    s.tsNsec = tsNsec;
    this.feed(role, data, 0);
    this.afterFeed();
  }

  /**
   * Keeps response bytes that start a message while no request is waiting for an answer, so they pair with
   * the request once its head completes: while a request head is half received, or on a connection seen from
   * its SYN that already carried a request (a keep-alive response whose request was captured late). Not for
   * the first bytes of a connection (a server that talks first) nor mid-stream ones (the response may answer
   * a request from before the capture). Returns true when held.
   */
  private holdEarlyResponse(s: Side, data: Buffer, tsSec: number, tsNsec: number): boolean {
    if (s.earlyBytes === 0) {
      const rq = this.sides[ROLE_REQUEST];
      if (s.mode !== MODE_PARSE || !s.parser.atMessageStart() || s.orphan || this.oldestUnanswered() !== null) return false;
      const headInProgress = rq.mode === MODE_PARSE && !rq.parser.atMessageStart() && rq.parser.inHead();
      if (!headInProgress && (this.conn.midStream || this.depth === 0)) return false;
      s.earlySec = tsSec;
      s.earlyNsec = tsNsec;
    }
    if (s.earlyBytes + data.length > this.ctx.opts.maxHeaderBytes) {
      this.ctx.counters.inc('http.early_response_overflow');
      this.releaseEarlyResponse();
      return false;
    }
    s.early.push(Buffer.from(data));
    s.earlyBytes += data.length;
    this.ctx.counters.inc('http.early_response_held');
    return true;
  }

  /** Feeds the held early response bytes to the response parser (paired or, failing that, orphan). */
  private releaseEarlyResponse(): void {
    const s = this.sides[ROLE_RESPONSE];
    if (s.earlyBytes === 0) return;
    const held = s.early;
    s.early = [];
    s.earlyBytes = 0;
    const sec = s.tsSec;
    const nsec = s.tsNsec;
    s.tsSec = s.earlySec;
    s.tsNsec = s.earlyNsec;
    for (const b of held) this.feed(ROLE_RESPONSE, b, 0);
    if (sec > s.earlySec || (sec === s.earlySec && nsec > s.earlyNsec)) {
      s.tsSec = sec;
      s.tsNsec = nsec;
    }
  }

  onGap(dir: Direction, length: number, tsSec: number, tsNsec: number): void {
    if (this.closed) return;
    this.flushRoleProbes();
    this.releaseEarlyResponse();
    const role = this.roleOf[dir];
    const s = this.sides[role];
    s.tsSec = tsSec;
    s.tsNsec = tsNsec;
    this.ctx.counters.inc('http.gaps');
    if (s.mode === MODE_PARSE) this.gapWhileParsing(role, s, length);
    else if (s.mode === MODE_RESYNC) {
      s.carry = null;
      s.atLineStart = true;
    } else if (s.mode === MODE_PAUSED) s.heldBroken = true;
    else if (s.mode === MODE_RAW09 && s.ex !== null) {
      s.ex.flag('gap');
      s.ex.responseBody?.gap(length);
    }
    this.afterFeed();
  }

  onClose(_reason: CloseReason, tsSec: number, tsNsec: number): void {
    if (this.closed) return;
    this.flushRoleProbes();
    this.releaseEarlyResponse();
    this.closed = true;
    for (const role of [ROLE_REQUEST, ROLE_RESPONSE] as const) {
      const s = this.sides[role];
      s.tsSec = tsSec;
      s.tsNsec = tsNsec;
      if (s.mode === MODE_PARSE) {
        const p = s.parser;
        if (p.state === 'BODY_RAW' && s.error === null) p.finish();
        else if (s.ex !== null || s.orphan || !p.atMessageStart()) this.interrupt(role, s);
      } else if (s.mode === MODE_RAW09 && s.ex !== null) {
        this.finishResponse(s.ex, s);
      } else if (s.mode === MODE_PAUSED && s.heldBytes > 0) {
        this.ctx.counters.inc('http.bytes_discarded.paused', s.heldBytes);
        s.held = [];
      }
    }
    for (const ex of this.queue) {
      if (!ex.requestDone) this.finishRequest(ex, this.sides[ROLE_REQUEST]);
      ex.responseDone = true;
    }
    this.answerIdx = this.queue.length;
    this.tryEmit();
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
          this.hold(s, data, off);
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

  feedSide(role: 0 | 1, data: Buffer): void {
    this.feed(role, data, 0);
  }

  /** Called by resync with a found message start: the side parses again from there. */
  resumeParsing(s: Side): void {
    s.mode = MODE_PARSE;
    s.discardReason = 'resync';
    s.headBytes = 0;
  }

  private parse(role: 0 | 1, s: Side, data: Buffer, off: number): number {
    const p = s.parser;
    if (p.atMessageStart()) {
      s.msgStartSec = s.tsSec;
      s.msgStartNsec = s.tsNsec;
      if (role === ROLE_RESPONSE && !s.orphan) {
        const pair = this.oldestUnanswered();
        if (pair !== null && pair.simple) {
          this.beginSimpleResponse(pair, s);
          return off;
        }
      }
    }
    if (p.inHead()) s.headFrom = off;
    const r = p.execute(data, off, data.length - off);
    if (r instanceof Error || s.error !== null || p.internalError !== null) {
      let reason = s.error;
      if (reason === null) reason = p.internalError !== null ? 'internal' : errorReason(r as Error);
      if (p.internalError !== null) this.ctx.counters.inc('http.internal_error');
      const resumeAt = r instanceof Error ? p.offset : off + r;
      this.failMessage(role, s, reason, true);
      return resumeAt > off && resumeAt <= data.length ? resumeAt : data.length;
    }
    const end = off + r;
    if (s.stop !== STOP_NONE) {
      if (s.stop === STOP_PAUSE) s.mode = MODE_PAUSED;
      else this.enterTunnel();
      s.stop = STOP_NONE;
      return end;
    }
    const limit = this.ctx.opts.maxHeaderBytes;
    if (p.inHead()) {
      s.headBytes += end - s.headFrom;
      if (s.headBytes > limit) {
        this.failMessage(role, s, 'header_too_large', false);
        return end;
      }
    } else if (p.pendingLineLength() > limit) {
      this.failMessage(role, s, 'line_too_long', false);
      return end;
    }
    return end > off ? end : data.length; // execute() always consumes; guard against a stall anyway
  }

  private hold(s: Side, data: Buffer, off: number): void {
    const n = data.length - off;
    if (s.heldBroken || s.heldBytes + n > this.ctx.opts.maxHeaderBytes) {
      s.heldBroken = true;
      this.ctx.counters.inc('http.bytes_discarded.paused', n);
      return;
    }
    s.held.push(Buffer.from(data.subarray(off)));
    s.heldBytes += n;
  }

  private afterFeed(): void {
    if (this.sides[ROLE_RESPONSE].earlyBytes > 0 && this.oldestUnanswered() !== null) this.releaseEarlyResponse();
    const paused = this.pausedEx;
    if (paused !== null && (paused.response !== null || paused.responseDone)) this.resumeRequests();
    this.tryEmit();
  }

  /**
   * The paused CONNECT / Upgrade request got a final answer that is not a tunnel: the request side parses
   * again, starting with the bytes held meanwhile. Runs synchronously (also from a response callback, so
   * that responses later in the same chunk find the requests they answer).
   */
  private resumeRequests(): void {
    const rq = this.sides[ROLE_REQUEST];
    this.pausedEx = null;
    if (rq.mode !== MODE_PAUSED || this.tunnel) return;
    const held = rq.held;
    rq.held = [];
    rq.heldBytes = 0;
    if (rq.heldBroken) {
      rq.heldBroken = false;
      rq.startResync(true);
    } else rq.mode = MODE_PARSE;
    for (const b of held) this.feed(ROLE_REQUEST, b, 0);
  }

  // ---- roles ----

  /**
   * Guessed roles: the first message start seen in either direction decides which side is the client.
   * Returns the bytes to process now (with a kept prefix of this direction in front), or null when the
   * data is too short to tell (kept: at most MAX_START_PROBE bytes, copied).
   */
  private decideRoles(dir: Direction, data: Buffer): Buffer | null {
    const kept = this.roleProbe[dir];
    const all = kept === null ? data : Buffer.concat([kept, data]);
    const kind = classifyAnyStart(all);
    if (kind === 3 && all.length < MAX_START_PROBE) {
      this.roleProbe[dir] = Buffer.from(all);
      return null;
    }
    this.roleProbe[dir] = null;
    this.rolesDecided = true;
    if (kind === 1 || kind === 2) {
      const clientDir = kind === 1 ? dir : 1 - dir;
      if (clientDir === 1) {
        this.roleOf[0] = ROLE_RESPONSE;
        this.roleOf[1] = ROLE_REQUEST;
        this.rolesSwapped = true;
        this.ctx.counters.inc('http.roles_swapped');
      }
    }
    const other = this.roleProbe[1 - dir];
    if (other !== null) {
      // The other direction's kept prefix goes first (it arrived earlier).
      this.roleProbe[1 - dir] = null;
      const s = this.sides[this.roleOf[1 - dir]];
      s.tsSec = this.sides[this.roleOf[dir]].tsSec;
      this.feed(this.roleOf[1 - dir], other, 0);
    }
    return all;
  }

  /** Ends role guessing with the current mapping, feeding any kept prefixes. */
  private flushRoleProbes(): void {
    this.rolesDecided = true;
    for (const dir of [0, 1] as const) {
      const kept = this.roleProbe[dir];
      if (kept === null) continue;
      this.roleProbe[dir] = null;
      this.feed(this.roleOf[dir], kept, 0);
    }
  }

  // ---- ParserOwner ----

  onHead(p: MessageParser, info: HeadInfo): number {
    return p.role === ROLE_REQUEST ? this.onRequestHead(p, info) : this.onResponseHead(p, info);
  }

  private onRequestHead(p: MessageParser, info: HeadInfo): number {
    const s = this.sides[ROLE_REQUEST];
    const limit = this.ctx.opts.maxHeaderBytes;
    const tooLarge = s.headBytes + (p.offset - s.headFrom) > limit;
    if (tooLarge) trimOverlongHead(info, true, limit);
    const ex = this.openRequest(info, s);
    if (ex.simple) this.cutOrphanResponse();
    if (tooLarge) s.error = 'header_too_large';
    else if (hasNul(info)) s.error = 'nul_byte';
    else if (p.foldSeen === FOLD_FRAMING) s.error = 'obs_fold_framing';
    else s.error = decideFraming(info.headers, true, this.framing).error;
    if (s.error !== null) return 2;
    if (p.foldSeen === FOLD_PLAIN) this.softError(ex, 'obs_fold');
    if (p.badVersion) this.softError(ex, 'bad_version');
    const f = this.framing;
    p.setFraming(f.kind === FRAME_CHUNKED, f.kind === FRAME_SIZED ? f.length : 0);
    if (f.kind !== FRAME_NONE && !ex.dropped) ex.requestBody = this.newBody(f.contentEncoding);
    if (f.kind === FRAME_NONE && (info.method === 'CONNECT' || info.upgrade)) {
      // The client waits for the answer: tunnel (2xx to CONNECT, 101) or HTTP again.
      this.pausedEx = ex;
      s.stop = STOP_PAUSE;
      return 2;
    }
    return 0;
  }

  /** Creates the exchange for a request head (complete, or partial after an error) and asks the policy. */
  private openRequest(info: HeadInfo, s: Side): PendingExchange {
    const req = newRequest(info.method, info.url, versionOf(info), info.headers);
    const ex = new PendingExchange(++this.depth, req, s.msgStartSec, s.msgStartNsec);
    if (this.conn.midStream) ex.flag('mid_stream');
    if (this.rolesSwapped) ex.flag('roles_swapped');
    let admitted = true;
    try {
      admitted = this.ctx.policy.admit(requestHead(req, info.headers), this.conn, s.tsSec, s.tsNsec);
    } catch {
      this.ctx.counters.inc('http.policy_error');
    }
    if (!admitted) {
      ex.dropped = true;
      this.ctx.counters.inc('http.dropped_by_policy');
    }
    this.ctx.counters.inc('http.requests');
    this.queue.push(ex);
    s.ex = ex;
    while (this.queue.length - this.answerIdx > this.ctx.opts.maxPendingRequests) {
      const oldest = this.queue[this.answerIdx++];
      oldest.responseDone = true;
      this.ctx.counters.inc('http.pending_overflow');
    }
    return ex;
  }

  private onResponseHead(p: MessageParser, info: HeadInfo): number {
    const s = this.sides[ROLE_RESPONSE];
    const status = info.statusCode;
    const pair = this.oldestUnanswered();
    const informational = status >= 100 && status < 200 && status !== 101;
    const limit = this.ctx.opts.maxHeaderBytes;
    const tooLarge = s.headBytes + (p.offset - s.headFrom) > limit;
    if (tooLarge) trimOverlongHead(info, false, limit);
    if (pair === null) {
      this.ctx.counters.inc('http.response_without_request');
      s.orphan = true;
    } else if (informational) {
      pair.informational.push(status);
      return 1;
    } else {
      this.answerIdx++;
      s.ex = pair;
      pair.response = newResponse(status, info.statusMessage, versionOf(info), info.headers);
    }
    if (tooLarge) s.error = 'header_too_large';
    else if (hasNul(info)) s.error = 'nul_byte';
    else if (p.foldSeen === FOLD_FRAMING) s.error = 'obs_fold_framing';
    if (s.error !== null) return 2;
    if (informational) return 1;
    if (p.foldSeen === FOLD_PLAIN && pair !== null) this.softError(pair, 'obs_fold');
    const method = pair === null ? '' : pair.request.method;
    if (status === 101 || (method === 'CONNECT' && status >= 200 && status < 300)) {
      pair?.flag('upgraded');
      s.stop = STOP_TUNNEL;
      return 2;
    }
    if (pair !== null && pair === this.pausedEx) this.resumeRequests();
    if (method === 'HEAD' || statusHasNoBody(status)) return 1;
    const f = decideFraming(info.headers, false, this.framing);
    if (f.error !== null) {
      s.error = f.error;
      return 2;
    }
    p.setFraming(f.kind === FRAME_CHUNKED, f.kind === FRAME_SIZED ? f.length : f.kind === FRAME_NONE ? 0 : null);
    if (pair !== null && f.kind !== FRAME_NONE && !pair.dropped) pair.responseBody = this.newBody(f.contentEncoding);
    return 0;
  }

  onBody(p: MessageParser, chunk: Buffer): void {
    const ex = this.sides[p.role].ex;
    if (ex === null || p.gapFill) return; // gap filler: already accounted by onGap
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
    s.headBytes = 0;
    s.headFrom = p.offset;
    s.msgStartSec = s.tsSec;
    s.msgStartNsec = s.tsNsec;
    if (s.error !== null) return; // aborted: failMessage finishes it
    if (p.role === ROLE_RESPONSE) s.orphan = false;
    const ex = s.ex;
    if (ex === null) return;
    if (p.role === ROLE_REQUEST) this.finishRequest(ex, s);
    else this.finishResponse(ex, s);
    this.tryEmit(); // early, so the body budget is released before the next message of this chunk
  }

  // ---- message ends ----

  private newBody(contentEncoding: string | null): BodyCollector {
    const coding = codingOf(contentEncoding);
    if (coding > 0) this.ctx.counters.inc('http.bodies_decoded');
    else if (coding < 0) this.ctx.counters.inc('http.unknown_content_encoding');
    return new BodyCollector(coding, this.ctx.opts, this.ctx.budget);
  }

  private finishBody(ex: PendingExchange, body: BodyCollector | null): MessageBody | null {
    if (body === null) return null;
    const report = body.finish();
    const c = body.conditions;
    const counters = this.ctx.counters;
    if ((c & (BODY_TRUNCATED_BY_LENGTH | BODY_TRUNCATED_BY_BUDGET | BODY_DECODE_CAP)) !== 0) ex.flag('truncated');
    if ((c & BODY_TRUNCATED_BY_LENGTH) !== 0) counters.inc('http.body_truncated');
    if ((c & BODY_TRUNCATED_BY_BUDGET) !== 0) counters.inc('http.body_budget_exhausted');
    if ((c & BODY_DECODE_CAP) !== 0) counters.inc('http.decode_cap_hit');
    if ((c & BODY_DECODE_ERROR) !== 0) {
      ex.flag('decode_error');
      counters.inc('http.decode_error');
    }
    return report;
  }

  private finishRequest(ex: PendingExchange, s: Side): void {
    if (ex.requestDone) return;
    const report = this.finishBody(ex, ex.requestBody);
    if (report !== null) ex.request.body = report;
    ex.requestDone = true;
    if (ex.response === null) ex.setEnd(s.tsSec, s.tsNsec);
    if (s.ex === ex && s === this.sides[ROLE_REQUEST]) s.ex = null;
  }

  private finishResponse(ex: PendingExchange, s: Side): void {
    if (ex.response !== null) {
      const report = this.finishBody(ex, ex.responseBody);
      if (report !== null) ex.response.body = report;
    }
    ex.responseDone = true;
    ex.setEnd(s.tsSec, s.tsNsec);
    if (s.ex === ex) s.ex = null;
  }

  private softError(ex: PendingExchange, reason: string): void {
    ex.flag('parse_error');
    this.ctx.counters.inc(`http.parse_error.${reason}`);
  }

  /**
   * Ends the message in progress on a parse error: flags what was parsed, counts the reason, and puts
   * the side into resync. `atLineStart`: whether the parser stopped at the beginning of a line.
   */
  private failMessage(role: 0 | 1, s: Side, reason: string, atLineStart: boolean): void {
    const p = s.parser;
    let ex = s.ex;
    if (ex === null && !s.orphan && p.state === 'HEADER') {
      // The start line was valid: report the partial head.
      if (reason === 'header_too_large') trimOverlongHead(p.info, role === ROLE_REQUEST, this.ctx.opts.maxHeaderBytes);
      if (role === ROLE_REQUEST) ex = this.openRequest(p.info, s);
      else {
        ex = this.oldestUnanswered();
        if (ex !== null) {
          this.answerIdx++;
          ex.response = newResponse(p.info.statusCode, p.info.statusMessage, versionOf(p.info), p.info.headers);
        }
      }
    }
    this.ctx.counters.inc(`http.parse_error.${reason}`);
    if (ex !== null) {
      ex.flag('parse_error');
      if (role === ROLE_REQUEST) this.finishRequest(ex, s);
      else this.finishResponse(ex, s);
    }
    s.ex = null;
    s.orphan = false;
    if (this.pausedEx !== null && role === ROLE_REQUEST && s.stop === STOP_PAUSE) this.pausedEx = null;
    s.startResync(atLineStart);
  }

  /** Bytes are missing at this point of a side that was parsing. */
  private gapWhileParsing(role: 0 | 1, s: Side, length: number): void {
    const p = s.parser;
    if (p.bodyRemaining() >= length) {
      this.ctx.counters.inc('http.gap_in_body');
      if (s.ex !== null) {
        s.ex.flag('gap');
        const body = role === ROLE_REQUEST ? s.ex.requestBody : s.ex.responseBody;
        body?.gap(length);
      }
      const err = p.skipBody(length);
      if (err !== null) this.failMessage(role, s, errorReason(err), false);
      return;
    }
    if (p.atMessageStart() && s.ex === null && !s.orphan) {
      this.ctx.counters.inc('http.gap_between_messages');
      s.startResync(true);
      return;
    }
    this.ctx.counters.inc('http.gap_interrupted');
    this.interrupt(role, s);
    s.startResync(true);
  }

  /** The message in progress on this side will not complete (gap or close): flag and finish it. */
  private interrupt(role: 0 | 1, s: Side): void {
    const p = s.parser;
    let ex = s.ex;
    if (ex === null && !s.orphan && !p.atMessageStart()) {
      if (role === ROLE_REQUEST) {
        if (p.state === 'HEADER') ex = this.openRequest(p.info, s);
        else this.ctx.counters.inc('http.request_head_lost');
      } else {
        ex = this.oldestUnanswered();
        if (ex !== null) this.answerIdx++;
      }
    }
    if (ex !== null) {
      ex.flag('interrupted');
      if (role === ROLE_REQUEST) this.finishRequest(ex, s);
      else this.finishResponse(ex, s);
    }
    s.ex = null;
    s.orphan = false;
  }

  /**
   * An HTTP/0.9 request arrived while the response side is inside a response that had no request (as in
   * Zeek's http-09-content-length-confusion test): that response ends here, and the server's next bytes are
   * the 0.9 reply (raw until close) instead of the rest of a Content-Length the orphan announced. Counted
   * `http.orphan_response_cut`.
   */
  private cutOrphanResponse(): void {
    const rs = this.sides[ROLE_RESPONSE];
    if (rs.mode !== MODE_PARSE || !rs.orphan) return;
    rs.parser.reset();
    rs.orphan = false;
    rs.headBytes = 0;
    this.ctx.counters.inc('http.orphan_response_cut');
  }

  private beginSimpleResponse(pair: PendingExchange, s: Side): void {
    this.answerIdx++;
    pair.response = newResponse(0, '', '0.9', []);
    if (!pair.dropped) pair.responseBody = this.newBody(null);
    s.ex = pair;
    s.mode = MODE_RAW09;
  }

  private enterTunnel(): void {
    this.tunnel = true;
    const rq = this.sides[ROLE_REQUEST];
    if (rq.heldBytes > 0) this.ignoredBytes += rq.heldBytes;
    rq.held = [];
    rq.heldBytes = 0;
    this.pausedEx = null;
    for (const s of this.sides) s.mode = MODE_IGNORE;
    this.ctx.counters.inc('http.upgraded');
  }

  private oldestUnanswered(): PendingExchange | null {
    return this.answerIdx < this.queue.length ? this.queue[this.answerIdx] : null;
  }

  // ---- emission ----

  private tryEmit(): void {
    const q = this.queue;
    while (q.length > 0) {
      const ex = q[0];
      if (!ex.requestDone || !ex.responseDone) return;
      q.shift();
      this.answerIdx--;
      this.emit(ex);
    }
  }

  private emit(ex: PendingExchange): void {
    this.ctx.budget.held -= ex.heldBytes();
    if (ex.dropped) return;
    if (ex.response === null) ex.flag('no_response');
    this.ctx.counters.inc('http.exchanges');
    try {
      this.ctx.sink.onExchange(ex.toExchange(this.conn, this.rolesSwapped));
    } catch {
      this.ctx.counters.inc('http.sink_error');
    }
  }
}

