/**
 * One direction of a TCP connection: where the stream stands (next expected sequence number,
 * FIN position) and the out-of-order data held behind a hole.
 *
 * Delivery contract: in-order payload is passed on at once as a view of the caller's buffer (no
 * copy); out-of-order payload is copied into the SegmentQueue and passed on when the hole before
 * it fills or is declared a gap. Bytes reach the output exactly once and in sequence order; a
 * gap stands for bytes that will never be delivered.
 *
 * Overlap policy (first data received wins): bytes already delivered or already held are never
 * replaced; of a new segment only the bytes beyond them are used. Counted as
 * `reassembly.retransmit` (nothing new) or `reassembly.overlap` (partly new).
 */
import type { Direction } from './types.js';
import type { ReassemblyContext } from './context.js';
import { SegmentQueue } from './segment-queue.js';
import { MAX_AHEAD_BYTES, seqAdd, seqDiff } from './seq.js';

/** Where a half stream sends its bytes (implemented by Connection, which guards the consumer). */
export interface StreamOutput {
  emitData(dir: Direction, data: Buffer, tsSec: number, tsNsec: number): void;
  emitGap(dir: Direction, length: number, tsSec: number, tsNsec: number): void;
}

export class HalfStream {
  /** True once the start of this direction is known (its SYN, the peer's SYN-ACK, or its first data). */
  started = false;
  /** Sequence number of the next byte to deliver (unsigned 32-bit). Meaningful once started. */
  nextSeq = 0;
  /** Initial sequence number from a SYN (or a SYN-ACK's ack - 1); -1 when no handshake was seen. */
  isn = -1;
  /** A FIN was seen; finSeq is the sequence position of the FIN (one past the last data byte). */
  finSeen = false;
  finSeq = 0;
  /**
   * Out-of-order data held behind the hole at nextSeq. Until this direction first holds data it is the
   * assembler's shared empty queue (ReassemblyContext.emptyQueue), so a direction that never sees a hole
   * (every direction of a SYN-flood entry) costs no queue. Others only read it; inserts go through
   * ownQueue().
   */
  queue: SegmentQueue;
  private finArrival = Infinity;

  constructor(
    private readonly ctx: ReassemblyContext,
    private readonly out: StreamOutput,
    readonly dir: Direction,
  ) {
    this.queue = ctx.emptyQueue;
  }

  /** The direction starts with a handshake: data begins at isn + 1. Ignored once started. */
  startFromIsn(isn: number): void {
    if (this.started) return;
    this.started = true;
    this.isn = isn;
    this.nextSeq = seqAdd(isn, 1);
  }

  /**
   * The direction continues a stream an evicted connection delivered up to `seq` (exclusive): bytes
   * before it are retransmissions. Ignored once started.
   */
  resumeAt(seq: number): void {
    if (this.started) return;
    this.started = true;
    this.nextSeq = seq;
  }

  /**
   * Payload and/or FIN of one segment. `seq` is the sequence number of the first payload byte
   * (SYN already accounted for by the caller); `buf[off .. off+len)` is valid only during the call.
   * `now` is packet time in seconds, used for the stream timeout.
   */
  onSegment(buf: Buffer, off: number, len: number, seq: number, fin: boolean,
    tsSec: number, tsNsec: number, now: number): void {
    if (!this.started) {
      this.started = true;
      this.nextSeq = seq;
    }
    if (fin) this.recordFin(seqAdd(seq, len), now);
    if (len === 0) return;
    const counters = this.ctx.counters;
    if (this.finSeen) {
      const beyond = seqDiff(seqAdd(seq, len), this.finSeq);
      if (beyond > 0) {
        counters.inc('reassembly.data_after_fin');
        if (beyond >= len) return;
        len -= beyond;
      }
    }
    let ahead = seqDiff(seq, this.nextSeq);
    if (ahead >= MAX_AHEAD_BYTES) {
      counters.inc('reassembly.out_of_window');
      return;
    }
    if (ahead < 0) {
      if (ahead + len <= 0) {
        counters.inc('reassembly.retransmit');
        return;
      }
      counters.inc('reassembly.overlap');
      off -= ahead;
      len += ahead;
      seq = this.nextSeq;
      ahead = 0;
    }
    if (ahead > 0) {
      const queue = this.ownQueue();
      queue.insert(buf, off, len, seq, now);
      const inserted = queue.lastInsertedBytes;
      if (inserted === 0) counters.inc('reassembly.retransmit');
      else if (inserted < len) counters.inc('reassembly.overlap');
      return;
    }
    // in order: deliver the view at once
    const front = this.queue.front();
    if (front !== undefined) {
      const room = seqDiff(front.seq, seq); // > 0: held data always starts after nextSeq
      if (room < len) {
        // runs into held data, which was received first and wins: deliver up to it, hold the
        // rest (only its bytes not already held are kept), then deliver everything now contiguous
        counters.inc('reassembly.overlap');
        this.deliver(buf.subarray(off, off + room), tsSec, tsNsec);
        this.ownQueue().insert(buf, off + room, len - room, front.seq, now);
        this.drain(tsSec, tsNsec);
        return;
      }
    }
    this.deliver(buf.subarray(off, off + len), tsSec, tsNsec);
    if (front !== undefined) this.drain(tsSec, tsNsec);
  }

  /** Data is held behind a hole, or a hole lies before the FIN. */
  hasPending(): boolean {
    return this.queue.length > 0 || (this.finSeen && this.nextSeq !== this.finSeq);
  }

  /** Everything up to the FIN was delivered (or declared a gap). */
  finished(): boolean {
    return this.finSeen && this.nextSeq === this.finSeq;
  }

  /** Packet time (s) since which the current hole has been waited for; Infinity when none. */
  waitingSince(): number {
    const held = this.queue.oldestArrival();
    if (this.finSeen && this.nextSeq !== this.finSeq && this.finArrival < held) return this.finArrival;
    return held;
  }

  /** Declares the hole at nextSeq a gap and delivers the held data that follows it, up to the next hole. */
  forceGap(tsSec: number, tsNsec: number): void {
    const front = this.queue.front();
    let target = this.nextSeq;
    if (front !== undefined) target = front.seq;
    else if (this.finSeen) target = this.finSeq;
    const length = seqDiff(target, this.nextSeq);
    if (length > 0) {
      this.nextSeq = target;
      this.ctx.gaps++;
      this.ctx.gapBytes += length;
      this.out.emitGap(this.dir, length, tsSec, tsNsec);
    }
    this.drain(tsSec, tsNsec);
  }

  /** Declares every hole a gap and delivers everything held (close, caps). */
  flush(tsSec: number, tsNsec: number): void {
    while (this.hasPending()) this.forceGap(tsSec, tsNsec);
  }

  /** Forces the holes that have waited at least `timeoutSec` at packet time `now`. Returns true if any. */
  flushExpired(now: number, timeoutSec: number, tsSec: number, tsNsec: number): boolean {
    let forced = false;
    while (this.hasPending() && now - this.waitingSince() >= timeoutSec) {
      this.forceGap(tsSec, tsNsec);
      forced = true;
    }
    return forced;
  }

  /** Drops held data (no delivery): used only when the consumer is gone. */
  discard(): void {
    this.queue.clear();
  }

  /**
   * Gives this direction's own queue up (back to the shared empty one). Only when the connection is
   * closed, after its flush: the queue is empty then, and a closed connection holds nothing.
   */
  releaseQueue(): void {
    if (this.queue === this.ctx.emptyQueue) return;
    this.queue.clear();
    this.queue = this.ctx.emptyQueue;
    this.ctx.segmentQueues--;
  }

  /** This direction's own queue, created when it first holds data. */
  private ownQueue(): SegmentQueue {
    if (this.queue === this.ctx.emptyQueue) {
      this.queue = new SegmentQueue(this.ctx);
      this.ctx.segmentQueues++;
    }
    return this.queue;
  }

  private recordFin(position: number, now: number): void {
    if (this.finSeen) {
      if (position !== this.finSeq) this.ctx.counters.inc('reassembly.fin_conflict');
      return;
    }
    if (seqDiff(position, this.nextSeq) < 0) {
      // a FIN before bytes already delivered cannot be right; end the stream where it stands
      this.ctx.counters.inc('reassembly.fin_conflict');
      position = this.nextSeq;
    }
    this.finSeen = true;
    this.finSeq = position;
    this.finArrival = now;
    if (this.queue.truncateAt(position) > 0) this.ctx.counters.inc('reassembly.data_after_fin');
  }

  private deliver(data: Buffer, tsSec: number, tsNsec: number): void {
    this.nextSeq = seqAdd(this.nextSeq, data.length);
    this.ctx.bytesDelivered += data.length;
    this.out.emitData(this.dir, data, tsSec, tsNsec);
  }

  /** Delivers held segments that the stream has reached (trimming what was already delivered). */
  private drain(tsSec: number, tsNsec: number): void {
    const queue = this.queue;
    for (let front = queue.front(); front !== undefined; front = queue.front()) {
      const behind = seqDiff(this.nextSeq, front.seq);
      if (behind < 0) break;
      queue.shift();
      if (behind < front.data.length) this.deliver(behind === 0 ? front.data : front.data.subarray(behind), tsSec, tsNsec);
    }
  }
}
