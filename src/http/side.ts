/**
 * What both sides of a connection share (request-side.ts, response-side.ts extend it): the parser, the
 * mode, the exchange of the message in progress, the time of the data, resync, the replay queue, and the
 * loop that routes bytes by mode. Each side is the only writer of its fields; it reaches the connection
 * through `Pairing` only.
 *
 * Replay contract: bytes replayed into a side (held, early, kept or carried bytes) are never fed from
 * inside a parser callback. They are queued (`enqueue`) and run by `runQueued`, which the connection calls
 * between StreamConsumer calls' work (HttpConnection.drain); a side also runs its own queue before any
 * newer data it is given (`take`), since queued bytes come earlier in its stream.
 */
import type { BodyCollector } from './body.js';
import { FRAME_CHUNKED, FRAME_NONE, FRAME_SIZED, FRAME_UNTIL_CLOSE, newFraming, type Framing } from './framing.js';
import { HeldBytes } from './held-bytes.js';
import { newBody } from './message-end.js';
import { HEAD_STOP, MessageParser, type HeadAction, type HeadInfo, type ParserOwner } from './parser/message-parser.js';
import { toHeaderList, type PendingExchange } from './pending-exchange.js';
import { reportQuirks } from './quirks.js';
import { Resync } from './resync.js';
import type { DiscardReason, HeadOutcome, Mode, Pairing, Role } from './side-types.js';

export abstract class Side implements ParserOwner {
  readonly parser: MessageParser;
  protected mode: Mode = 'parse';
  /** The exchange of the message in progress on this side (null between messages, or when it has none). */
  protected ex: PendingExchange | null = null;
  /** Time of the data being processed. */
  protected sec = 0;
  protected nsec = 0;
  /** Time of the data holding the first byte of the message in progress. */
  protected msgStartSec = 0;
  protected msgStartNsec = 0;
  protected readonly resync: Resync;
  /** Reused by decideFraming for every head of this side. */
  protected readonly framing: Framing = newFraming();
  /** Decided by onHead during execute(), acted on after it returns (afterStop). */
  protected outcome: HeadOutcome = 'continue';
  /** With outcome 'fail': the reason (counter suffix `http.parse_error.<reason>`). */
  protected failReason: string | null = null;
  /**
   * With outcome 'fail': the parser's quirks when onHead failed the head (the parser resets before
   * failMessage runs, so they are copied here and reported with the failed message).
   */
  protected failQuirks = 0;
  /** Offset in its data where the execute() call in progress began. */
  protected callStart = 0;
  /** Bytes ignored after an upgrade or in a tunnel that is not HTTP (counted at close). */
  protected ignored = 0;
  /**
   * Bytes to replay before any later data (see the replay contract above). Not capped itself: it is bounded
   * by its sources' caps, since it is run before the side takes newer data: held request bytes or an early
   * response (each at most maxHeaderBytes) and the role probe's kept prefix (MAX_START_PROBE), so at most
   * maxHeaderBytes + MAX_START_PROBE bytes.
   */
  private readonly queued = new HeldBytes(Infinity);

  constructor(readonly role: Role, protected readonly pairing: Pairing) {
    this.parser = new MessageParser(role, this);
    this.resync = new Resync(role, pairing.ctx.counters);
  }

  get tsSec(): number {
    return this.sec;
  }

  get tsNsec(): number {
    return this.nsec;
  }

  get ignoredBytes(): number {
    return this.ignored;
  }

  /**
   * Acts on the framing decideFraming left in `framing` for the head in onHead: its quirks reported on `ex`
   * (the parser's own are reported with the message's end), the parser told how the body is framed. Returns
   * a collector for the body, or null (no body, no exchange, or the exchange is dropped).
   */
  protected frameBody(p: MessageParser, ex: PendingExchange | null): BodyCollector | null {
    const f = this.framing;
    if (ex !== null) reportQuirks(ex, this.pairing.ctx.counters, f.quirks);
    p.setFraming(f.kind === FRAME_CHUNKED, f.kind === FRAME_SIZED ? f.length : f.kind === FRAME_UNTIL_CLOSE ? null : 0);
    if (f.kind === FRAME_NONE || ex === null || ex.dropped) return null;
    return newBody(this.pairing.ctx, f.contentEncoding, f.kind === FRAME_SIZED ? f.length : 0);
  }

  /** Starts the side in resync (connection picked up mid-stream, or after a loss). */
  startResync(atLineStart: boolean, reason: DiscardReason): void {
    this.mode = 'resync';
    this.resync.start(atLineStart, reason);
    this.parser.reset();
  }

  /** The connection was picked up mid-stream: discard until a message start (see Resync.segmentStartOnly). */
  startMidStream(segmentStartOnly: boolean): void {
    this.startResync(true, 'mid_stream');
    this.resync.segmentStartOnly = segmentStartOnly;
  }

  // ---- bytes in ----

  /** New data of this side's direction: queued bytes first, then `data` at its time. */
  take(data: Buffer, sec: number, nsec: number): void {
    if (this.queued.bytes > 0) this.runQueued();
    this.sec = sec;
    this.nsec = nsec;
    this.feed(data, 0);
  }

  /** Queues bytes to replay (they precede any later data), to run at the time given. */
  enqueue(pieces: Buffer[], sec: number, nsec: number): void {
    this.queued.append(pieces, sec, nsec);
  }

  hasQueued(): boolean {
    return this.queued.bytes > 0;
  }

  /** Bytes this side holds that were neither parsed nor counted yet (queued, or kept as a possible message start). */
  unreadBytes(): number {
    return this.queued.bytes + this.resync.carried;
  }

  /** Runs the queued bytes at their time; the side's time never moves back. */
  runQueued(): void {
    if (this.queued.bytes === 0) return;
    const sec = this.sec;
    const nsec = this.nsec;
    this.sec = this.queued.sec;
    this.nsec = this.queued.nsec;
    for (const b of this.queued.take()) this.feed(b, 0);
    if (sec > this.sec || (sec === this.sec && nsec > this.nsec)) {
      this.sec = sec;
      this.nsec = nsec;
    }
  }

  /** Routes data[off..] through the side's current mode until consumed. */
  protected feed(data: Buffer, off: number): void {
    while (off < data.length) {
      switch (this.mode) {
        case 'parse':
          off = this.parse(data, off);
          break;
        case 'resync':
          off = this.resyncFrom(data, off);
          break;
        case 'tunnel_probe':
          off = this.probeTunnel(data, off);
          break;
        case 'ignore':
          if (this.pairing.h2 !== null) this.pairing.h2.onData(this.role, data.subarray(off), this.sec, this.nsec);
          else this.ignored += data.length - off;
          return;
        case 'discard':
          this.pairing.ctx.counters.inc('http.bytes_discarded.resync', data.length - off);
          return;
        default:
          off = this.feedOwnMode(data, off);
      }
    }
  }

  private resyncFrom(data: Buffer, off: number): number {
    const next = this.resync.scan(data, off);
    if (this.resync.found) this.parseFrom(this.resync.takeCarry());
    return next;
  }

  /** The first bytes in a CONNECT tunnel: HTTP of this side's role is parsed (fresh), anything else ignored. */
  private probeTunnel(data: Buffer, off: number): number {
    const r = this.resync.probe(data, off);
    if (r === 'undecided') return data.length;
    const kept = this.resync.takeCarry(); // bytes before data[off..], kept while undecided
    if (r === 'no') {
      this.mode = 'ignore';
      if (kept !== null) this.ignored += kept.length;
      return off;
    }
    this.parseFrom(kept);
    return off;
  }

  /** The side parses again from here; `first`: bytes kept from before the current data, parsed first. */
  private parseFrom(first: Buffer | null): void {
    this.mode = 'parse';
    this.resync.reason = 'resync';
    if (first !== null) this.feed(first, 0);
  }

  private parse(data: Buffer, off: number): number {
    const p = this.parser;
    if (p.atMessageStart()) {
      this.msgStartSec = this.sec;
      this.msgStartNsec = this.nsec;
      if (this.beforeMessage()) return off;
    }
    this.beginCall(off);
    const r = p.execute(data, off, data.length - off);
    const outcome = this.outcome;
    if (r < 0 || outcome === 'fail' || p.internalError !== null) {
      const internal = p.internalError !== null;
      p.internalError = null; // the owner clears it
      if (internal) this.pairing.ctx.counters.inc('http.internal_error');
      const reason = (outcome === 'fail' ? this.failReason : null) ?? (internal ? 'internal' : p.error);
      const resumeAt = r < 0 ? p.offset : off + r;
      this.failMessage(reason ?? 'internal', true);
      return resumeAt > off && resumeAt <= data.length ? resumeAt : data.length;
    }
    const end = off + r;
    if (outcome !== 'continue') return this.afterStop(outcome, end);
    const limit = this.pairing.ctx.opts.maxHeaderBytes;
    if (p.inHead()) {
      if (p.headBytes > limit) {
        this.failMessage('header_too_large', false);
        return end;
      }
    } else if (p.pendingLineLength() > limit) {
      this.failMessage('line_too_long', false);
      return end;
    }
    return end > off ? end : data.length; // execute() always consumes; guard against a stall anyway
  }

  /** Before execute(): no outcome yet; the call starts at `off`. */
  private beginCall(off: number): void {
    this.outcome = 'continue';
    this.failReason = null;
    this.failQuirks = 0;
    this.callStart = off;
  }

  /** Ends onHead with a malformed head: execute() stops, the side fails the message after it returns. */
  protected fail(reason: string): HeadAction {
    this.outcome = 'fail';
    this.failReason = reason;
    this.failQuirks = this.parser.quirks;
    return HEAD_STOP;
  }

  // ---- what each role does ----

  /** At a message start, before parsing: true when the side changed mode and the loop must re-route. */
  protected abstract beforeMessage(): boolean;
  /** Bytes in a mode of this role (paused, raw09); returns where to continue. */
  protected abstract feedOwnMode(data: Buffer, off: number): number;
  /** Acts on a head outcome other than continue / fail; `end` is where execute() stopped. */
  protected abstract afterStop(outcome: HeadOutcome, end: number): number;
  /** The body collector of this role on `ex`. */
  protected abstract bodyOf(ex: PendingExchange): BodyCollector | null;
  /** Ends the message in progress on a parse error (flags, counts, resync). */
  protected abstract failMessage(reason: string, atLineStart: boolean): void;
  abstract onHead(p: MessageParser, info: HeadInfo): HeadAction;
  abstract onMessageEnd(p: MessageParser): void;

  // ---- ParserOwner (shared part) ----

  onBody(_p: MessageParser, chunk: Buffer): void {
    const ex = this.ex;
    if (ex === null) return;
    const body = this.bodyOf(ex);
    if (body !== null) body.write(chunk);
  }

  onTrailers(_p: MessageParser, trailers: string[]): void {
    const list = this.ex === null ? undefined : this.role === 0 ? this.ex.request.headers : this.ex.response?.headers;
    if (list === undefined) return;
    toHeaderList(trailers, list);
  }

  /** The tunnel's first bytes are probed (CONNECT) or ignored (101, or after a tunnel that is not HTTP). */
  protected enterTunnel(probe: boolean): void {
    this.ex = null;
    this.parser.reset();
    this.mode = probe ? 'tunnel_probe' : 'ignore';
    if (probe) this.resync.start(true, 'resync');
  }
}
