/**
 * Assembler limits. Every limit bounds memory or waiting time; what is dropped or forced when a
 * limit is hit is counted under `reassembly.*` (see docs/reassembly.md for the budget that
 * justifies each default inside a 512 MiB sidecar).
 */

export interface AssemblerOptions {
  /**
   * Seconds of packet time to wait for a missing segment before declaring a gap (the product
   * flag --stream-timeout-seconds). Measured from the arrival of the oldest segment held behind
   * the hole. Default 10.
   */
  streamTimeoutSec: number;
  /** Seconds of packet time without any packet after which a connection is closed ('timeout'). Default 120. */
  idleTimeoutSec: number;
  /**
   * Out-of-order bytes held per connection (both directions, accounted as allocated: block sizes
   * plus SEGMENT_OVERHEAD_BYTES per held segment, segment-queue.ts). When exceeded, the stream skips
   * to its earliest held segment (a gap is reported) until it fits. Default 4 MiB.
   */
  maxBufferedBytesPerConn: number;
  /**
   * Held segments per connection (both directions; contiguous data behind a hole shares one, up to a
   * 16 KiB block); same action as the byte cap. Default 4096.
   */
  maxSegmentsPerConn: number;
  /**
   * Out-of-order bytes held across all connections (same accounting). When exceeded, the
   * connections that have held data the longest are flushed (gaps reported, held data delivered)
   * until the total fits. Default 32 MiB (docs/reliability.md, "Memory budget").
   */
  maxBufferedBytesTotal: number;
  /**
   * Open connections. A new connection beyond it evicts the least recently active embryonic
   * connection (no payload yet) if there is one, else the least recently active connection (its
   * held data is flushed, then onClose('evicted')). Default 32768.
   */
  maxConnections: number;
  /**
   * Open connections that have not carried payload yet ("embryonic": SYN only, or handshake only),
   * counted inside maxConnections. A new connection without payload beyond it evicts the least
   * recently active embryonic one. At maxConnections, embryonic connections are evicted before any
   * connection that carried payload, so a SYN flood cannot push out live connections
   * (`reassembly.evicted_embryonic`). The effective value is min(this, maxConnections). Default 8192.
   */
  maxEmbryonicConnections: number;
  /**
   * Seconds of packet time a connection closed by FIN or RST stays in the flow table so that its
   * stray packets (last ACK, retransmitted FIN) are ignored instead of opening a mid-stream
   * connection. At most maxConnections such entries are kept. Default 10.
   */
  closedLingerSec: number;
  /**
   * How often, in packet time, connections that are not receiving packets are checked for
   * expired holes, idle timeout and lingering entries. Default 1 second: a gap on a silent
   * connection is reported at most this late.
   */
  timeoutCheckIntervalSec: number;
}

/** Estimated memory of one held segment besides its block (segment object, Buffer header, ArrayBuffer, array slot). */
export const SEGMENT_OVERHEAD_BYTES = 128;

export const DEFAULT_ASSEMBLER_OPTIONS: Readonly<AssemblerOptions> = Object.freeze({
  streamTimeoutSec: 10,
  idleTimeoutSec: 120,
  maxBufferedBytesPerConn: 4 * 1024 * 1024,
  maxSegmentsPerConn: 4096,
  maxBufferedBytesTotal: 32 * 1024 * 1024,
  maxConnections: 32768,
  maxEmbryonicConnections: 8192,
  closedLingerSec: 10,
  timeoutCheckIntervalSec: 1,
});

/**
 * Defaults overlaid with the given values. A value that is not a finite number > 0 is a
 * configuration error and throws a RangeError (at construction, never per packet).
 */
export function resolveAssemblerOptions(partial: Partial<AssemblerOptions>): AssemblerOptions {
  const out: AssemblerOptions = { ...DEFAULT_ASSEMBLER_OPTIONS };
  for (const key of Object.keys(DEFAULT_ASSEMBLER_OPTIONS) as Array<keyof AssemblerOptions>) {
    const v = partial[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new RangeError(`reassembly option ${key} must be a finite number > 0, got ${String(v)}`);
    }
    out[key] = v;
  }
  return out;
}

/** Numbers for the stats line. */
export interface AssemblerStats {
  /** Connections currently open (not counting closed ones lingering in the flow table). */
  connectionsOpen: number;
  /** Open connections that have carried no payload yet (part of connectionsOpen). */
  connectionsEmbryonic: number;
  /** Closed connections kept for closedLingerSec to absorb their stray packets. */
  connectionsLingering: number;
  /** Open connections holding out-of-order data or waiting for a hole before a FIN. */
  connectionsWaiting: number;
  /** Connections created since start. */
  connectionsCreated: number;
  /** Out-of-order bytes held, accounted as block sizes + SEGMENT_OVERHEAD_BYTES per held segment (the capped figure). */
  bytesBuffered: number;
  /** Payload bytes held (without overhead). */
  payloadBytesBuffered: number;
  /** Segments held. */
  segmentsBuffered: number;
  /**
   * Half streams of open connections that have their own out-of-order queue (they held data at some
   * point); every other half stream shares one empty queue, so a connection that never held data (a
   * SYN-flood entry) has none. At most 2 x connectionsOpen.
   */
  segmentQueues: number;
  /** TCP segments passed to onPacket. */
  packets: number;
  /** Payload bytes delivered to consumers. */
  bytesDelivered: number;
  /** Gaps reported and their total length in bytes. */
  gaps: number;
  gapBytes: number;
}
