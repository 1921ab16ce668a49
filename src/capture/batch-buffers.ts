/**
 * The two arrays a capture source hands to the addon (layout: src/capture/types.ts).
 * Allocated once per source and reused for every batch; the addon keeps strong references,
 * so they live at least as long as the native handle.
 *
 * Caps: a batch holds at most `maxPackets` packets and `dataBytes` bytes (records 8-byte
 * aligned). A packet that does not fit in what is left ends the batch and starts the next one;
 * a packet larger than `dataBytes` can never fit and is skipped, counted as
 * `capture.oversize_skipped` (keep dataBytes >= snaplen so this cannot happen).
 */
import { META_FIELDS } from './types.js';

export const DEFAULT_BATCH_DATA_BYTES = 8 * 1024 * 1024;
export const DEFAULT_BATCH_MAX_PACKETS = 32768;
/** Lower bounds: small values are only useful in tests. */
export const MIN_BATCH_DATA_BYTES = 256;
export const MAX_BATCH_DATA_BYTES = 1024 * 1024 * 1024;

export interface BatchBufferOptions {
  /** Bytes of packet data per batch; default 8 MiB. */
  dataBytes?: number;
  /** Packets per batch; default 32768. */
  maxPackets?: number;
}

export interface BatchBuffers {
  readonly data: Buffer;
  readonly meta: Uint32Array;
}

export function allocateBatchBuffers(options: BatchBufferOptions = {}): BatchBuffers {
  const dataBytes = options.dataBytes ?? DEFAULT_BATCH_DATA_BYTES;
  const maxPackets = options.maxPackets ?? DEFAULT_BATCH_MAX_PACKETS;
  if (!Number.isInteger(dataBytes) || dataBytes < MIN_BATCH_DATA_BYTES || dataBytes > MAX_BATCH_DATA_BYTES) {
    throw new RangeError(`batch dataBytes must be an integer in [${MIN_BATCH_DATA_BYTES}, ${MAX_BATCH_DATA_BYTES}]`);
  }
  if (!Number.isInteger(maxPackets) || maxPackets < 1 || maxPackets > 1 << 24) {
    throw new RangeError('batch maxPackets must be an integer in [1, 16777216]');
  }
  // Buffer.alloc (not allocUnsafe): never hand out stale heap bytes, and never a pool slice.
  return { data: Buffer.alloc(dataBytes), meta: new Uint32Array(maxPackets * META_FIELDS) };
}

/**
 * The one PacketBatch object a source hands to its sink, refilled in place for every batch
 * (no allocation per batch). Its `count` changes between batches; sinks must not keep it.
 */
export class ReusableBatch {
  readonly data: Buffer;
  readonly meta: Uint32Array;
  count = 0;
  linkType: number;
  readonly source: string;
  constructor(buffers: BatchBuffers, linkType: number, source: string) {
    this.data = buffers.data;
    this.meta = buffers.meta;
    this.linkType = linkType;
    this.source = source;
  }
}
