/**
 * State shared by the assembler and every connection it owns: the limits, the counters, and the
 * running totals that the global caps and the stats line read. One instance per Assembler.
 */
import type { Counters } from '../util/counters.js';
import type { AssemblerOptions } from './options.js';
import { SegmentQueue } from './segment-queue.js';

export class ReassemblyContext {
  /**
   * Out-of-order data held by all connections, accounted as block sizes + SEGMENT_OVERHEAD_BYTES per
   * held segment (segment-queue.ts).
   */
  bytesBuffered = 0;
  /** Payload part of bytesBuffered. */
  payloadBytesBuffered = 0;
  /** Segments held by all connections. */
  segmentsBuffered = 0;
  /** Payload bytes delivered to consumers (onData). */
  bytesDelivered = 0;
  /** Gaps reported (onGap calls) and the bytes they declared missing. */
  gaps = 0;
  gapBytes = 0;
  /** Half streams that have their own SegmentQueue (they held data; released when their connection closes). */
  segmentQueues = 0;
  /**
   * The queue of every half stream that holds nothing yet (half-stream.ts). Never inserted into: it
   * stays empty, so reading it (length, front, accountedBytes) and emptying it are safe.
   */
  readonly emptyQueue: SegmentQueue;

  constructor(
    readonly options: AssemblerOptions,
    readonly counters: Counters,
  ) {
    this.emptyQueue = new SegmentQueue(this);
  }
}
