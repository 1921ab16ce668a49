/**
 * How a message of either side ends other than normally, written once for both roles (RequestSide and
 * ResponseSide extend this class and supply the role's part): on a parse error (flagged `parse_error`,
 * the side resyncs), interrupted by a gap or the close (`interrupted`), and what a gap does in each mode.
 */
import { finishRequest, finishResponse } from './message-end.js';
import { partialHead } from './head-checks.js';
import { ST_HEADER, type HeadInfo } from './parser/message-parser.js';
import type { PendingExchange } from './pending-exchange.js';
import { QUIRK_CHUNK_NO_FINAL_CRLF, QUIRK_CLOSE_BEFORE_END } from './quirks.js';
import { Side } from './side.js';
import type { GapOutcome } from './side-types.js';

const CLOSE_ONLY = QUIRK_CLOSE_BEFORE_END | QUIRK_CHUNK_NO_FINAL_CRLF;

export abstract class EndingSide extends Side {
  /** True while a response without request is in progress (response side). */
  protected abstract inOrphan(): boolean;
  /** The exchange for a head that failed after its start line (request: opened; response: paired). */
  protected abstract openPartial(info: HeadInfo): PendingExchange | null;
  /** A message cut before any exchange was made for it: request: opened or a placeholder; response: paired. */
  protected abstract lostInProgress(): PendingExchange | null;
  /** The message of this side ended without completing: role state reset (waiting request, orphan). */
  protected abstract messageLost(): void;
  /** A gap in a mode of this role (paused, raw09). */
  protected abstract gapInOwnMode(length: number): GapOutcome;
  /** The close, in a mode of this role (paused, raw09). */
  protected abstract closeOwnMode(): void;

  /**
   * The request or the response of `ex` (this side's message) ends now, with the quirks its parse met
   * (`quirks`: the parser's by default). Two bits the parser sets ahead, QUIRK_CLOSE_BEFORE_END and
   * QUIRK_CHUNK_NO_FINAL_CRLF, describe the close only: any other ending (`byClose` false) drops them.
   */
  protected finish(ex: PendingExchange, byClose = false, quirks = this.parser.quirks): void {
    const q = byClose ? quirks : quirks & ~CLOSE_ONLY;
    if (this.role === 0) finishRequest(this.pairing.ctx, ex, this.sec, this.nsec, q);
    else finishResponse(this.pairing.ctx, ex, this.sec, this.nsec, q);
  }

  /**
   * Ends the message in progress on a parse error: flags what was parsed (a head whose start line was valid
   * is reported), counts the reason, and puts the side into resync. `atLineStart`: whether the parser
   * stopped at the beginning of a line.
   */
  protected failMessage(reason: string, atLineStart: boolean): void {
    const p = this.parser;
    const ctx = this.pairing.ctx;
    let ex = this.ex;
    if (ex === null && !this.inOrphan() && p.state === ST_HEADER) ex = this.openPartial(partialHead(p, reason, ctx.opts.maxHeaderBytes));
    ctx.counters.inc(`http.parse_error.${reason}`);
    if (ex !== null) {
      ex.flag('parse_error');
      this.finish(ex, false, p.quirks | this.failQuirks);
    }
    this.failQuirks = 0;
    this.ex = null;
    this.messageLost();
    if (reason === 'bad_field') this.discardRest();
    else this.startResync(atLineStart, 'resync');
  }

  /**
   * A request field line that is not `name: value` (`bad_field`): the server answers 400 and closes, and
   * what follows may be the body of a framing the line hid (`Transfer-Encoding : chunked`), whose data
   * resync would read as requests. The rest of the direction is discarded.
   */
  private discardRest(): void {
    this.mode = 'discard';
    this.parser.reset();
  }

  /** The message in progress on this side will not complete (gap, or the close: `byClose`): flag and finish it. */
  protected interrupt(byClose: boolean): void {
    let ex = this.ex;
    if (ex === null && !this.inOrphan() && !this.parser.atMessageStart()) ex = this.lostInProgress();
    if (ex !== null) {
      ex.flag('interrupted');
      this.finish(ex, byClose);
    }
    this.ex = null;
    this.messageLost();
  }

  /** The connection ends: a read-until-close body (or a chunked one missing its final CRLF) ends, anything else in progress is interrupted. */
  close(sec: number, nsec: number): void {
    this.sec = sec;
    this.nsec = nsec;
    if (this.mode === 'parse') {
      const p = this.parser;
      // finish(): a read-until-close body, or a chunked one whose final CRLF never came, ends normally
      if (p.finish()) return;
      if (this.ex !== null || this.inOrphan() || !p.atMessageStart()) this.interrupt(true);
    } else if (this.mode !== 'discard') this.closeOwnMode();
  }

  // ---- gaps ----

  /** Bytes are missing at this point of the side's stream; the connection records the loss. */
  gap(length: number, sec: number, nsec: number): GapOutcome {
    this.sec = sec;
    this.nsec = nsec;
    switch (this.mode) {
      case 'parse':
        return this.gapWhileParsing(length);
      case 'resync':
        this.resync.gap();
        return 'interrupted';
      case 'tunnel_probe':
        this.mode = 'ignore'; // the start of the tunnel is lost: its bytes cannot be told apart
        this.ignored += this.resync.takeCarry()?.length ?? 0;
        return 'in_body';
      case 'ignore':
      case 'discard':
        return 'in_body';
      default:
        return this.gapInOwnMode(length);
    }
  }

  /**
   * A gap while parsing. Inside a body whose remaining length covers it: skipped (flag `gap`). Between
   * messages: at_boundary. Otherwise the message in progress is interrupted. Except in a body the side resyncs.
   */
  private gapWhileParsing(length: number): GapOutcome {
    const p = this.parser;
    const counters = this.pairing.ctx.counters;
    if (p.bodyRemaining() >= length) {
      counters.inc('http.gap_in_body');
      if (this.ex !== null) {
        this.ex.flag('gap');
        this.bodyOf(this.ex)?.gap(length);
      }
      p.skipBody(length);
      return 'in_body';
    }
    if (p.atMessageStart() && this.ex === null && !this.inOrphan()) {
      counters.inc('http.gap_between_messages');
      this.startResync(true, 'resync');
      return 'at_boundary';
    }
    counters.inc('http.gap_interrupted');
    this.interrupt(false);
    this.startResync(true, 'resync');
    return 'interrupted';
  }
}
