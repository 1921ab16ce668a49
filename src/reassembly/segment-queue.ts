/**
 * Out-of-order segments of one direction, held until the hole before them fills or is declared a
 * gap. Segments are kept sorted by sequence number and never overlap: when a new segment overlaps
 * held bytes, the held bytes win (first data received wins) and only the uncovered pieces of the
 * new segment are copied.
 *
 * Ownership: held bytes are private copies (the capture batch they came from is reused after the
 * batch callback), in blocks allocated with allocUnsafeSlow: each block is its own ArrayBuffer, owned
 * by exactly one HeldSegment whose `data` is a view of the block from byte 0, so a held segment never
 * pins memory of another.
 *
 * Blocks: a piece that continues the last held segment exactly (the usual case behind a hole: the
 * data after it keeps arriving in order) is copied into the spare room of that segment's block, and
 * the two become one held segment. A piece that does not fit gets a new block, twice as large as the
 * previous one (at least the piece, at most MAX_BLOCK_BYTES unless the piece is larger), so that a
 * long run of held data costs one segment object and one ArrayBuffer per block instead of one per
 * TCP segment (measured: about 600 B of heap and allocator overhead per separately held 1460 B
 * segment). A piece that continues nothing gets a block of exactly its size, so a lone reordered
 * segment wastes nothing.
 *
 * Accounting (into the shared context, on insert and on removal): a held segment counts its block's
 * full size plus SEGMENT_OVERHEAD_BYTES, so the caps bound what is allocated, spare room included.
 */
import type { ReassemblyContext } from './context.js';
import { SEGMENT_OVERHEAD_BYTES } from './options.js';
import { seqAdd, seqDiff } from './seq.js';

/** Largest block a run of contiguous held data grows into (bytes); bounds the spare room of one queue. */
export const MAX_BLOCK_BYTES = 16 * 1024;

export class HeldSegment {
  constructor(
    /** Sequence number of data[0]. */
    public seq: number,
    /** The held bytes: a view from byte 0 of this segment's own block (data.buffer). */
    public data: Buffer,
    /** Packet time of arrival of its first piece, in seconds (for the stream timeout). */
    readonly arrival: number,
  ) {}

  /** Size of the block (what the segment holds allocated): data.length plus spare room. */
  get capacity(): number {
    return this.data.buffer.byteLength;
  }
}

export class SegmentQueue {
  /**
   * Sorted by seq, non-overlapping; contiguous pieces share one entry (see Blocks above). Length is
   * bounded by maxSegmentsPerConn (enforced by the connection).
   */
  readonly segments: HeldSegment[] = [];
  /** Accounted bytes held by this queue (block sizes + overhead per segment). */
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
      this.release(seg);
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
        // a fresh block of the kept size, so the memory held matches the accounting
        const freed = last.capacity - keep;
        dropped += last.data.length - keep;
        this.ctx.payloadBytesBuffered -= last.data.length - keep;
        this.ctx.bytesBuffered -= freed;
        this.accountedBytes -= freed;
        const kept = Buffer.allocUnsafeSlow(keep);
        last.data.copy(kept, 0, 0, keep);
        last.data = kept;
        break;
      }
      segs.pop();
      dropped += last.data.length;
      this.release(last);
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
    const segs = this.segments;
    const prev = at > 0 && at === segs.length ? segs[at - 1] : undefined;
    let capacity = len;
    if (prev !== undefined && seqDiff(seq, seqAdd(prev.seq, prev.data.length)) === 0) {
      const used = prev.data.length;
      const block = prev.capacity;
      if (block - used >= len) {
        // continues the last held segment and fits its block: one segment, no new allocation
        const grown = Buffer.from(prev.data.buffer, 0, used + len);
        src.copy(grown, used, off, off + len);
        prev.data = grown;
        this.ctx.payloadBytesBuffered += len;
        return;
      }
      capacity = Math.max(len, Math.min(MAX_BLOCK_BYTES, 2 * block));
    }
    const block = Buffer.allocUnsafeSlow(capacity);
    src.copy(block, 0, off, off + len);
    const seg = new HeldSegment(seq, capacity === len ? block : Buffer.from(block.buffer, 0, len), arrival);
    if (at === segs.length) segs.push(seg);
    else segs.splice(at, 0, seg);
    const accounted = capacity + SEGMENT_OVERHEAD_BYTES;
    this.accountedBytes += accounted;
    this.ctx.bytesBuffered += accounted;
    this.ctx.payloadBytesBuffered += len;
    this.ctx.segmentsBuffered++;
    if (arrival < this.oldest) this.oldest = arrival;
  }

  private release(seg: HeldSegment): void {
    const accounted = seg.capacity + SEGMENT_OVERHEAD_BYTES;
    this.accountedBytes -= accounted;
    this.ctx.bytesBuffered -= accounted;
    this.ctx.payloadBytesBuffered -= seg.data.length;
    this.ctx.segmentsBuffered--;
  }
}
