/**
 * Capture stage contract: a source hands packets to the pipeline in batches.
 *
 * Layout of one batch (filled by the native addon, owned by the source):
 *  - `data`: packet bytes back to back (each record starts 8-byte aligned);
 *  - `meta`: META_FIELDS uint32 values per packet, in this order:
 *      [offset into data, captured length, original length, timestamp seconds, timestamp nanoseconds].
 * Both arrays are allocated once per source and reused for every batch: a sink must copy
 * (never keep a view of) anything it wants after `onBatch` returns.
 */
export const META_FIELDS = 5;
export const META_OFFSET = 0;
export const META_CAPLEN = 1;
export const META_ORIGLEN = 2;
export const META_TS_SEC = 3;
export const META_TS_NSEC = 4;

export interface PacketBatch {
  /** Packet bytes; views into it are valid only during `onBatch`. */
  readonly data: Buffer;
  /** META_FIELDS entries per packet (see above). */
  readonly meta: Uint32Array;
  /** Number of packets in this batch (meta entries beyond count * META_FIELDS are stale). */
  readonly count: number;
  /** DLT_* link-layer type of every packet in this batch. */
  readonly linkType: number;
  /** Capture source name (file path or interface name), for logs and stats. */
  readonly source: string;
}

export interface BatchSink {
  /** Called once per batch, synchronously, never concurrently. Must not throw. */
  onBatch(batch: PacketBatch): void;
  /**
   * Backpressure, asked by sources that can wait (files) after each batch: null to read on, or a promise
   * to await first (the export is behind). Live sources never wait: the kernel buffer cannot be paused.
   */
  whenReady?(): Promise<void> | null;
}

/** Counters a source reports; kernel counters are 0 for files. */
export interface CaptureStats {
  packets: number;
  bytes: number;
  batches: number;
  /** pcap_stats ps_drop: dropped by the kernel because the buffer was full (live only). */
  kernelDrops: number;
  /** pcap_stats ps_ifdrop: dropped by the interface/driver (live only). */
  ifDrops: number;
  /** pcap_stats ps_recv: packets the kernel passed through the filter for this handle, read or not (live only). */
  received?: number;
}

export interface CaptureSource {
  readonly name: string;
  readonly linkType: number;
  /**
   * Delivers batches to `sink` until the source ends (end of file, or `stop()`), then resolves.
   * Yields to the event loop between batches so exports and timers run.
   * Rejects with CaptureError on a read error; every batch read before the error was delivered.
   */
  run(sink: BatchSink): Promise<void>;
  /** Asks `run` to finish after the current batch. Idempotent. */
  stop(): void;
  stats(): CaptureStats;
  close(): void;
}

/** A capture failure with a message meant for the user. */
export class CaptureError extends Error {
  /** Byte offset in the file where reading failed, when known. */
  readonly byteOffset: number | undefined;
  constructor(message: string, byteOffset?: number) {
    super(message);
    this.name = 'CaptureError';
    this.byteOffset = byteOffset;
  }
}
