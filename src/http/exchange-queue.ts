/**
 * The exchanges of one connection that are not yet emitted, in request order, and FIFO pairing: the
 * oldest unanswered request gets the next final response. Entries before `answerIdx` are answered (or
 * given up); an exchange is emitted once its request and its response are both done, in request order.
 *
 * Cap: at most HttpOptions.maxPendingRequests unanswered entries; beyond it the oldest unanswered is given
 * up (emitted later with `response: null`), counted `http.pending_overflow`.
 */
import type { ConnectionInfo } from '../reassembly/types.js';
import type { HttpContext } from './context.js';
import type { PendingExchange } from './pending-exchange.js';

export class ExchangeQueue {
  private readonly items: PendingExchange[] = [];
  private answerIdx = 0;
  /** Depth (1-based order on the connection) given to the last request opened. */
  private depth = 0;
  /**
   * The response direction carried bytes or a gap so far (set by the connection). An exchange emitted
   * without response while it is false is `one_sided`, decided at emission: also for the requests given
   * up by maxPendingRequests before the close.
   */
  responseSeen = false;

  constructor(private readonly ctx: HttpContext, private readonly conn: ConnectionInfo) {}

  /** Depth for the next request. */
  nextDepth(): number {
    return ++this.depth;
  }

  /** Requests opened so far (the last depth given). */
  get requestCount(): number {
    return this.depth;
  }

  /** Counts `n` requests that were certainly sent but never seen (their depths are skipped). */
  skipDepth(n: number): void {
    this.depth += n;
  }

  /** Appends a newly opened request; gives up the oldest unanswered ones beyond maxPendingRequests. */
  push(ex: PendingExchange): void {
    this.items.push(ex);
    while (this.items.length - this.answerIdx > this.ctx.opts.maxPendingRequests) {
      const oldest = this.items[this.answerIdx++];
      oldest.responseDone = true;
      this.ctx.counters.inc('http.pending_overflow');
    }
  }

  /** The request the next final response answers, or null. */
  oldestUnanswered(): PendingExchange | null {
    return this.answerIdx < this.items.length ? this.items[this.answerIdx] : null;
  }

  /** Takes the oldest unanswered request for a response (null when none is waiting). */
  answer(): PendingExchange | null {
    const ex = this.oldestUnanswered();
    if (ex !== null) this.answerIdx++;
    return ex;
  }

  /** Number of requests still waiting for a response. */
  get unanswered(): number {
    return this.items.length - this.answerIdx;
  }

  /** Every exchange not yet emitted, oldest first (for the close: the caller finishes them). */
  pending(): readonly PendingExchange[] {
    return this.items;
  }

  /** Connection end: no response will come for any entry. */
  giveUpAll(): void {
    for (const ex of this.items) ex.responseDone = true;
    this.answerIdx = this.items.length;
  }

  /** Emits, in request order, the leading exchanges whose request and response are both done. */
  emitReady(rolesSwapped: boolean): void {
    const q = this.items;
    while (q.length > 0) {
      const ex = q[0];
      if (!ex.requestDone || !ex.responseDone) return;
      q.shift();
      this.answerIdx--;
      this.emit(ex, rolesSwapped);
    }
  }

  private emit(ex: PendingExchange, rolesSwapped: boolean): void {
    const ctx = this.ctx;
    ctx.budget.held -= ex.heldBytes();
    ctx.heads.held -= ex.headBytes;
    if (ex.dropped) return;
    if (ex.response === null) {
      if (!this.responseSeen) ex.flag('one_sided');
      ex.flag('no_response');
    }
    ctx.counters.inc('http.exchanges');
    try {
      ctx.sink.onExchange(ex.toExchange(this.conn, rolesSwapped));
    } catch {
      ctx.counters.inc('http.sink_error');
    }
  }
}
