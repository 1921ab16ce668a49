/**
 * State shared by the assembler and every connection it owns: the limits, the counters, and the
 * running totals that the global caps and the stats line read. One instance per Assembler.
 */
import type { Counters } from '../util/counters.js';
import type { AssemblerOptions } from './options.js';

export class ReassemblyContext {
  /** Out-of-order data held by all connections, accounted as payload + SEGMENT_OVERHEAD_BYTES per segment. */
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

  constructor(
    readonly options: AssemblerOptions,
    readonly counters: Counters,
  ) {}
}
