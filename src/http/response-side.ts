/**
 * The response side of a connection: parses what the server sends. A final response head takes the
 * oldest unanswered request (Pairing.answerOldest, FIFO); a 1xx (except 101) is recorded on it and does
 * not take it; a head with no request waiting is parsed to stay in sync and not emitted (an orphan).
 * 101, and 2xx to CONNECT, end HTTP on the connection (Pairing.tunnelBegins).
 *
 * Ordering: a response head must find every request that precedes it. Request bytes replayed by the
 * connection (a paused request side resumed by an earlier response of the same chunk) run first: when
 * the head completes while such bytes wait (Pairing.requestBytesWaiting), onHead stops the parser
 * (outcome 'retry'), the side has the connection run them (runWaitingRequests, after execute() returned)
 * and parses the head again from its first byte, which lies in the same data (it began after the response
 * that resumed the requests).
 *
 * Early responses: response bytes captured before the request they answer (capture order is not causal
 * order) are held, copied, at most HttpOptions.maxHeaderBytes, and queued once a request waits; when the cap
 * is hit (`http.early_response_overflow`), at a gap or at the close they are queued as they stand.
 */
import type { BodyCollector } from './body.js';
import { decideFraming, statusHasNoBody } from './framing.js';
import { headDefect, versionOf } from './head-checks.js';
import { HeldBytes } from './held-bytes.js';
import { finishResponse, newBody, softError } from './message-end.js';
import { FOLD_PLAIN } from './parser/field-line.js';
import { HEAD_BODY, HEAD_NO_BODY, HEAD_STOP, type HeadAction, type HeadInfo, type MessageParser } from './parser/message-parser.js';
import { firstHeader, newResponse, type PendingExchange } from './pending-exchange.js';
import { reportQuirks } from './quirks.js';
import { EndingSide } from './side-ending.js';
import { ROLE_RESPONSE, type GapOutcome, type HeadOutcome, type Pairing } from './side-types.js';

export class ResponseSide extends EndingSide {
  /** A response without request is in progress. */
  private orphan = false;
  private readonly early: HeldBytes;
  /** Head bytes of a head to parse again (outcome 'retry'). */
  private retryBytes = 0;

  constructor(pairing: Pairing) {
    super(ROLE_RESPONSE, pairing);
    this.early = new HeldBytes(pairing.ctx.opts.maxHeaderBytes);
  }

  // ---- early responses ----

  /**
   * Keeps response bytes that start a message while no request waits for an answer, when the connection
   * says a request may still come for them (Pairing.earlyResponseMayWait). Returns true when held.
   */
  holdEarly(data: Buffer, sec: number, nsec: number): boolean {
    const counters = this.pairing.ctx.counters;
    if (this.early.bytes === 0) {
      if (this.mode !== 'parse' || !this.parser.atMessageStart() || this.orphan || this.hasQueued()) return false;
      if (!this.pairing.earlyResponseMayWait()) return false;
    }
    if (!this.early.add(data, 0, sec, nsec)) {
      counters.inc('http.early_response_overflow');
      this.releaseEarly();
      return false;
    }
    counters.inc('http.early_response_held');
    return true;
  }

  hasEarly(): boolean {
    return this.early.bytes > 0;
  }

  override unreadBytes(): number {
    return super.unreadBytes() + this.early.bytes;
  }

  /** Queues the held early bytes (run at their time by the connection, or before this side's next data). */
  releaseEarly(): void {
    if (this.early.bytes > 0) this.enqueue(this.early.take(), this.early.sec, this.early.nsec);
  }

  /**
   * An HTTP/0.9 request arrived while a response without request is in progress (as in Zeek's
   * http-09-content-length-confusion test): that response ends here, and the server's next bytes are the
   * 0.9 reply (raw until close) instead of the rest of a Content-Length the orphan announced.
   */
  cutOrphan(): void {
    if (this.mode !== 'parse' || !this.orphan) return;
    this.parser.reset();
    this.orphan = false;
    this.pairing.ctx.counters.inc('http.orphan_response_cut');
  }

  // ---- ParserOwner ----

  onHead(p: MessageParser, info: HeadInfo): HeadAction {
    if (this.pairing.requestBytesWaiting() && p.offset - p.headBytes >= this.callStart) {
      this.retryBytes = p.headBytes;
      this.outcome = 'retry';
      return HEAD_STOP;
    }
    const ctx = this.pairing.ctx;
    const status = info.statusCode;
    const informational = status >= 100 && status < 200 && status !== 101;
    const defect = headDefect(p, info, ctx.opts.maxHeaderBytes);
    let pair = this.pairing.oldestUnanswered();
    if (pair === null) {
      this.pairing.responseWithoutRequest();
      this.orphan = true;
    } else if (informational) {
      // A 1xx is its own message: its defect fails it, its quirks are reported on the exchange it precedes.
      pair.informational.push(status);
      if (defect !== null) {
        pair.flag('parse_error');
        reportQuirks(pair, ctx.counters, p.quirks);
        return this.fail(defect);
      }
      reportQuirks(pair, ctx.counters, p.quirks);
      return HEAD_NO_BODY;
    } else {
      pair = this.answer(info);
    }
    if (defect !== null) return this.fail(defect);
    if (informational) return HEAD_NO_BODY;
    if (p.foldSeen === FOLD_PLAIN && pair !== null) softError(ctx, pair, 'obs_fold');
    const method = pair === null ? '' : pair.request.method;
    if (status === 101 || (method === 'CONNECT' && status >= 200 && status < 300)) {
      pair?.flag('upgraded');
      this.outcome = status === 101 ? 'upgrade' : 'tunnel';
      if (status === 101 && firstHeader(info.headers, 'upgrade')?.toLowerCase() === 'h2c') this.pairing.switchToH2(pair);
      return HEAD_STOP;
    }
    if (method === 'HEAD' || statusHasNoBody(status)) return HEAD_NO_BODY;
    const f = decideFraming(info.headers, false, this.framing);
    if (f.error !== null) return this.fail(f.error);
    const body = this.frameBody(p, pair);
    if (body !== null && pair !== null) pair.responseBody = body;
    return HEAD_BODY;
  }

  onMessageEnd(p: MessageParser): void {
    this.msgStartSec = this.sec;
    this.msgStartNsec = this.nsec;
    if (this.outcome === 'fail' || this.outcome === 'retry') return; // failMessage finishes it / parsed again
    this.orphan = false;
    const ex = this.ex;
    if (ex === null) return;
    finishResponse(this.pairing.ctx, ex, this.sec, this.nsec, p.quirks);
    this.ex = null;
    this.pairing.messageDone(); // early, so the body budget is released before the next message of this chunk
  }

  // ---- Side ----

  /** Takes the oldest unanswered request for a response with this head. */
  private answer(info: HeadInfo): PendingExchange | null {
    const pair = this.pairing.answerOldest();
    this.ex = pair;
    if (pair !== null) pair.response = newResponse(info.statusCode, info.statusMessage, versionOf(info), info.headers);
    return pair;
  }

  /** The raw (until close) reply to an HTTP/0.9 request starts here. */
  protected beforeMessage(): boolean {
    if (this.orphan) return false;
    const waiting = this.pairing.oldestUnanswered();
    if (waiting === null || !waiting.simple) return false;
    const pair = this.pairing.answerOldest()!;
    pair.response = newResponse(0, '', '0.9', []);
    if (!pair.dropped) pair.responseBody = newBody(this.pairing.ctx, null);
    this.ex = pair;
    this.mode = 'raw09';
    return true;
  }

  protected afterStop(outcome: HeadOutcome, end: number): number {
    if (outcome === 'retry') {
      this.pairing.runWaitingRequests();
      return end - this.retryBytes;
    }
    const probe = outcome === 'tunnel'; // else upgrade: HTTP ends
    this.orphan = false;
    this.enterTunnel(probe);
    this.pairing.tunnelBegins(probe);
    return end;
  }

  /** raw09: the reply to an HTTP/0.9 request, until close. */
  protected feedOwnMode(data: Buffer, off: number): number {
    const ex = this.ex;
    if (ex !== null) {
      ex.responseBody?.write(data.subarray(off));
      ex.setEnd(this.sec, this.nsec);
    }
    return data.length;
  }

  protected gapInOwnMode(length: number): GapOutcome {
    if (this.ex !== null) {
      this.ex.flag('gap');
      this.ex.responseBody?.gap(length);
    }
    return 'in_body'; // raw 0.9 body (until close): pairing unaffected
  }

  protected bodyOf(ex: PendingExchange): BodyCollector | null {
    return ex.responseBody;
  }

  protected inOrphan(): boolean {
    return this.orphan;
  }

  protected openPartial(info: HeadInfo): PendingExchange | null {
    return this.answer(info);
  }

  protected lostInProgress(): PendingExchange | null {
    return this.pairing.answerOldest();
  }

  protected messageLost(): void {
    this.orphan = false;
  }

  /** The raw reply to an HTTP/0.9 request ends at the close. */
  protected closeOwnMode(): void {
    if (this.mode === 'raw09' && this.ex !== null) {
      this.finish(this.ex);
      this.ex = null;
    }
  }
}
