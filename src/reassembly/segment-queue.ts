/**
 * Out-of-order segments of one direction, held until the hole before them fills or is declared a
 * gap. Segments are kept sorted by sequence number and never overlap: when a new segment overlaps
 * held bytes, the held bytes win (first data received wins) and only the uncovered pieces of the
 * new segment are copied.
 *
 * Ownership: every held segment is a private copy (allocUnsafeSlow, so a small segment does not
 * pin an 8 KiB pool slab) because the capture batch it came from is reused after the batch
 * callback. Accounting into the shared context is done here, on insert and on removal.
 */
import type { ReassemblyContext } from './context.js';
import { SEGMENT_OVERHEAD_BYTES } from './options.js';
import { seqAdd, seqDiff } from './seq.js';

export class HeldSegment {
  constructor(
    /** Sequence number of data[0]. */
    public seq: number,
    public data: Buffer,
    /** Packet time of arrival, in seconds (for the stream timeout). */
    readonly arrival: number,
  ) {}
}

export class SegmentQueue {
  /** Sorted by seq, non-overlapping. Length is bounded by maxSegmentsPerConn (enforced by the connection). */
  readonly segments: HeldSegment[] = [];
  /** Accounted bytes held by this queue (payload + overhead per segment). */
  accountedBytes = 0;
  /** Result of the last insert: payload bytes newly held. */
  lastInsertedBytes = 0;
  private oldest = Infinity;
  private oldestStale = false;

  constructor(private readonly ctx: ReassemblyContext) {}

  get length(): number {
    return this.segments.length;
  }

  /** The held segment with the lowest sequence number, or undefined. */
  front(): HeldSegment | undefined {
    return this.segments[0];
  }

  /**
   * Holds a copy of the bytes of [seq, seq + len) (taken from src at off) that no held segment
   * covers yet. Sets lastInsertedBytes (0: everything was already held).
   */
  insert(src: Buffer, off: number, len: number, seq: number, arrival: number): void {
    const segs = this.segments;
    let inserted = 0;
    let i = this.firstEndingAfter(seq);
    let cursor = 0; // offset into the new segment of the first byte not yet placed or covered
    while (cursor < len) {
      const held = segs[i];
      const heldStart = held === undefined ? len : seqDiff(held.seq, seq);
      if (heldStart > cursor) {
        const pieceEnd = heldStart < len ? heldStart : len;
        this.insertPiece(i, src, off + cursor, pieceEnd - cursor, seqAdd(seq, cursor), arrival);
        inserted += pieceEnd - cursor;
        i++;
        cursor = pieceEnd;
        if (held === undefined) break;
        continue;
      }
      const heldEnd = heldStart + held!.data.length;
      if (heldEnd > cursor) cursor = heldEnd;
      i++;
    }
    this.lastInsertedBytes = inserted;
  }

  /** Removes and returns the front segment (accounting released). */
  shift(): HeldSegment | undefined {
    const seg = this.segments.shift();
    if (seg !== undefined) {
      this.release(seg.data.length);
      if (seg.arrival <= this.oldest) this.oldestStale = true;
    }
    return seg;
  }

  /**
   * Drops every held byte at or after `limit` (a FIN position). Returns the number of payload
   * bytes dropped.
   */
  truncateAt(limit: number): number {
    const segs = this.segments;
    let dropped = 0;
    while (segs.length > 0) {
      const last = segs[segs.length - 1];
      const keep = seqDiff(limit, last.seq);
      if (keep >= last.data.length) break;
      if (keep > 0) {
        dropped += last.data.length - keep;
        this.ctx.payloadBytesBuffered -= last.data.length - keep;
        this.ctx.bytesBuffered -= last.data.length - keep;
        this.accountedBytes -= last.data.length - keep;
        // a fresh copy, so the memory held matches the accounting
        const kept = Buffer.allocUnsafeSlow(keep);
        last.data.copy(kept, 0, 0, keep);
        last.data = kept;
        break;
      }
      segs.pop();
      dropped += last.data.length;
      this.release(last.data.length);
      this.oldestStale = true;
    }
    return dropped;
  }

  /** Arrival time (seconds) of the oldest held segment; Infinity when empty. O(n) after a removal, else O(1). */
  oldestArrival(): number {
    if (this.oldestStale) {
      let min = Infinity;
      for (const s of this.segments) if (s.arrival < min) min = s.arrival;
      this.oldest = min;
      this.oldestStale = false;
    }
    return this.oldest;
  }

  /** Drops everything (accounting released). */
  clear(): void {
    while (this.segments.length > 0) this.shift();
    this.oldest = Infinity;
    this.oldestStale = false;
  }

  /** Index of the first held segment whose end is after `seq` (binary search). */
  private firstEndingAfter(seq: number): number {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length;
    // common case: appending after the last held segment
    if (hi === 0 || seqDiff(seqAdd(segs[hi - 1].seq, segs[hi - 1].data.length), seq) <= 0) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = segs[mid];
      if (seqDiff(seqAdd(s.seq, s.data.length), seq) > 0) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private insertPiece(at: number, src: Buffer, off: number, len: number, seq: number, arrival: number): void {
    const copy = Buffer.allocUnsafeSlow(len);
    src.copy(copy, 0, off, off + len);
    const seg = new HeldSegment(seq, copy, arrival);
    if (at === this.segments.length) this.segments.push(seg);
    else this.segments.splice(at, 0, seg);
    const accounted = len + SEGMENT_OVERHEAD_BYTES;
    this.accountedBytes += accounted;
    this.ctx.bytesBuffered += accounted;
    this.ctx.payloadBytesBuffered += len;
    this.ctx.segmentsBuffered++;
    if (arrival < this.oldest) this.oldest = arrival;
  }

  private release(payloadLen: number): void {
    const accounted = payloadLen + SEGMENT_OVERHEAD_BYTES;
    this.accountedBytes -= accounted;
    this.ctx.bytesBuffered -= accounted;
    this.ctx.payloadBytesBuffered -= payloadLen;
    this.ctx.segmentsBuffered--;
  }
}
