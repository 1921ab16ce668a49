/**
 * The request side of a connection: parses what the client sends. A complete request head opens its
 * exchange (Pairing.openRequest: the policy, the FIFO); its body is collected as framed.
 *
 * CONNECT and Upgrade: after such a request without body the client waits for the answer, so the side
 * pauses and holds what the client sends meanwhile (copies, at most HttpOptions.maxHeaderBytes; beyond
 * it, or after a gap, the held bytes are broken: counted `http.bytes_discarded.paused` and dropped, and the
 * side resyncs when it resumes). A final answer that is not a tunnel resumes it (`resume`, called by the
 * connection): the held bytes are queued and run by the connection. A tunnel (`tunnelBegins`) drops them
 * (101: counted as ignored), or, inside a CONNECT tunnel, probes them as the tunnel's first bytes.
 */
import type { BodyCollector } from './body.js';
import { FRAME_NONE, decideFraming } from './framing.js';
import { headDefect } from './head-checks.js';
import { HeldBytes } from './held-bytes.js';
import { finishRequest, softError } from './message-end.js';
import { FOLD_PLAIN } from './parser/field-line.js';
import { HEAD_BODY, HEAD_STOP, ST_HEADER, type HeadAction, type HeadInfo, type MessageParser } from './parser/message-parser.js';
import type { PendingExchange } from './pending-exchange.js';
import { EndingSide } from './side-ending.js';
import { ROLE_REQUEST, type GapOutcome, type HeadOutcome, type Pairing } from './side-types.js';

export class RequestSide extends EndingSide {
  /** The CONNECT / Upgrade request whose answer the paused side waits for. */
  private waitingFor: PendingExchange | null = null;
  private readonly held: HeldBytes;
  /** The held bytes are incomplete (cap or gap): they are dropped, and the side resyncs when it resumes. */
  private heldBroken = false;

  constructor(pairing: Pairing) {
    super(ROLE_REQUEST, pairing);
    this.held = new HeldBytes(pairing.ctx.opts.maxHeaderBytes);
  }

  /** A request head is half received (an early response may be held for it). */
  headInProgress(): boolean {
    const p = this.parser;
    return this.mode === 'parse' && !p.atMessageStart() && p.inHead();
  }

  /** True when the side is paused and the request it waits for has its final answer (or never will). */
  answered(): boolean {
    const w = this.waitingFor;
    return w !== null && (w.response !== null || w.responseDone);
  }

  /** The paused request got a final answer that is not a tunnel: parse again, the held bytes first (queued). */
  resume(): void {
    this.waitingFor = null;
    if (this.mode !== 'paused') return;
    const held = this.held.take();
    if (this.heldBroken) {
      this.heldBroken = false;
      this.startResync(true, 'resync');
    } else this.mode = 'parse';
    this.enqueue(held, this.sec, this.nsec);
  }

  /** A tunnel begins (see the file comment). */
  tunnelBegins(probe: boolean): void {
    this.waitingFor = null;
    const http = probe && !this.heldBroken;
    this.heldBroken = false;
    this.enterTunnel(http);
    if (http) this.enqueue(this.held.take(), this.held.sec, this.held.nsec);
    else if (this.pairing.h2 !== null) for (const b of this.held.take()) this.pairing.h2.onData(0, b, this.held.sec, this.held.nsec);
    else this.ignored += this.held.drop();
  }

  // ---- ParserOwner ----

  onHead(p: MessageParser, info: HeadInfo): HeadAction {
    const ctx = this.pairing.ctx;
    const defect = headDefect(p, info, ctx.opts.maxHeaderBytes);
    const ex = this.open(info);
    if (ex.simple) this.pairing.simpleRequestOpened();
    const reason = defect ?? decideFraming(info.headers, true, this.framing).error;
    if (reason !== null) return this.fail(reason);
    if (p.foldSeen === FOLD_PLAIN) softError(ctx, ex, 'obs_fold');
    if (p.badVersion) softError(ctx, ex, 'bad_version');
    const body = this.frameBody(p, ex);
    if (body !== null) ex.requestBody = body;
    const f = this.framing;
    if (f.kind === FRAME_NONE && (info.method === 'CONNECT' || f.upgrade)) {
      // The client waits for the answer: tunnel (2xx to CONNECT, 101) or HTTP again.
      this.waitingFor = ex;
      this.outcome = 'pause';
      return HEAD_STOP;
    }
    return HEAD_BODY;
  }

  onMessageEnd(p: MessageParser): void {
    this.msgStartSec = this.sec;
    this.msgStartNsec = this.nsec;
    if (this.outcome === 'fail') return; // failMessage finishes it
    const ex = this.ex;
    if (ex === null) return;
    finishRequest(this.pairing.ctx, ex, this.sec, this.nsec, p.quirks);
    this.ex = null;
    this.pairing.messageDone();
  }

  // ---- Side ----

  private open(info: HeadInfo): PendingExchange {
    const ex = this.pairing.openRequest(info, this.msgStartSec, this.msgStartNsec, this.sec, this.nsec);
    this.ex = ex;
    return ex;
  }

  protected beforeMessage(): boolean {
    return false;
  }

  protected afterStop(outcome: HeadOutcome, end: number): number {
    if (outcome === 'pause') this.mode = 'paused';
    return end;
  }

  /** Paused: keeps a copy of data[off..] within the cap. */
  protected feedOwnMode(data: Buffer, off: number): number {
    if (this.heldBroken || !this.held.add(data, off, this.sec, this.nsec)) {
      this.heldBroken = true;
      this.pairing.ctx.counters.inc('http.bytes_discarded.paused', data.length - off);
    }
    return data.length;
  }

  protected gapInOwnMode(_length: number): GapOutcome {
    this.heldBroken = true; // paused: what the client sent meanwhile is incomplete
    return 'interrupted';
  }

  protected bodyOf(ex: PendingExchange): BodyCollector | null {
    return ex.requestBody;
  }

  protected inOrphan(): boolean {
    return false;
  }

  protected openPartial(info: HeadInfo): PendingExchange {
    return this.open(info);
  }

  protected lostInProgress(): PendingExchange | null {
    if (this.parser.state === ST_HEADER) return this.open(this.parser.info);
    this.pairing.requestHeadLost(this.sec, this.nsec);
    return null;
  }

  protected messageLost(): void {
    this.waitingFor = null;
  }

  /** Paused at the close: the held bytes are dropped. */
  protected closeOwnMode(): void {
    if (this.mode === 'paused' && this.held.bytes > 0) {
      this.pairing.ctx.counters.inc('http.bytes_discarded.paused', this.held.drop());
    }
  }
}
