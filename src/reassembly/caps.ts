/**
 * The assembler's caps on connections and held data (limits and counters: docs/reassembly.md,
 * "Limits" and "Eviction order"):
 *
 *  - maxEmbryonicConnections / maxConnections: makeRoom() evicts before a new connection is added,
 *    embryonic connections first (least recently active of the lowest stage), an established one
 *    only when no embryonic one is left. So a SYN flood evicts a connection that carried payload
 *    only when no embryonic one is left (never, while fewer than maxConnections connections
 *    carried payload).
 *  - maxBufferedBytesPerConn / maxSegmentsPerConn: enforceConnCap() forces gaps in the fuller
 *    direction until the connection fits.
 *  - maxBufferedBytesTotal: enforceTotalCap() flushes the connections that have waited longest
 *    until the total fits.
 *
 * After each Assembler.onPacket returns, the accounted total never exceeds either byte cap.
 */
import type { Counters } from '../util/counters.js';
import type { ReassemblyContext } from './context.js';
import { ConnStage, type Connection } from './connection.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { EvictedFlows } from './evicted-flows.js';
import type { AssemblerOptions } from './options.js';
import type { PacketClock } from './packet-clock.js';

export class CapEnforcer {
  private readonly options: AssemblerOptions;
  private readonly counters: Counters;
  /** min(maxEmbryonicConnections, maxConnections). */
  private readonly maxEmbryonic: number;

  constructor(
    private readonly ctx: ReassemblyContext,
    private readonly conns: ConnectionRegistry,
    /** Where connections evicted past the handshake are remembered. */
    private readonly evicted: EvictedFlows,
    private readonly clock: PacketClock,
  ) {
    this.options = ctx.options;
    this.counters = ctx.counters;
    this.maxEmbryonic = Math.min(this.options.maxEmbryonicConnections, this.options.maxConnections);
  }

  /**
   * Makes room for a new connection (established: it carries payload). An embryonic newcomer first
   * respects the embryonic cap. Then, at maxConnections, embryonic connections go first (least
   * recently active first); established ones only when no embryonic one is left.
   */
  makeRoom(established: boolean): void {
    const open = this.conns.open;
    if (!established) {
      for (let c = open.embryonicVictim(); c !== null && open.embryonicSize >= this.maxEmbryonic; c = open.embryonicVictim()) {
        this.evict(c);
      }
    }
    const max = this.options.maxConnections;
    for (let c = open.victim(); c !== null && open.size >= max; c = open.victim()) this.evict(c);
  }

  /**
   * Closes a connection with 'evicted' and remembers it (evicted-flows.ts) if it got past the
   * handshake. Entries that saw only SYNs / SYN-ACKs are what a SYN flood is made of: remembering
   * them would push out the records of connections that matter.
   */
  private evict(victim: Connection): void {
    const stage = victim.stage;
    this.counters.inc(stage === ConnStage.Established ? 'reassembly.evicted' : 'reassembly.evicted_embryonic');
    this.conns.close(victim, 'evicted', false);
    if (stage >= ConnStage.Handshaken) this.evicted.remember(victim);
  }

  /** True when the connection holds more than a per-connection cap allows. */
  connOverCap(conn: Connection): boolean {
    const o = this.options;
    return conn.bufferedBytes() > o.maxBufferedBytesPerConn || conn.bufferedSegments() > o.maxSegmentsPerConn;
  }

  /** Per-connection caps: skip to the earliest held segment of the fuller direction until it fits. */
  enforceConnCap(conn: Connection, tsSec: number, tsNsec: number): void {
    const o = this.options;
    for (;;) {
      const overBytes = conn.bufferedBytes() > o.maxBufferedBytesPerConn;
      if (!overBytes && conn.bufferedSegments() <= o.maxSegmentsPerConn) return;
      const a = conn.toServer;
      const b = conn.toClient;
      const victim = a.queue.accountedBytes >= b.queue.accountedBytes ? a : b;
      if (victim.queue.length === 0) return;
      this.counters.inc(overBytes ? 'reassembly.cap_conn_bytes' : 'reassembly.cap_conn_segments');
      victim.forceGap(tsSec, tsNsec);
    }
  }

  /** True when all connections together hold more than maxBufferedBytesTotal. */
  totalOverCap(): boolean {
    return this.ctx.bytesBuffered > this.options.maxBufferedBytesTotal;
  }

  /** Total cap: flush the connections that have waited longest until the total fits. */
  enforceTotalCap(): void {
    const max = this.options.maxBufferedBytesTotal;
    const conns = this.conns;
    while (this.ctx.bytesBuffered > max) {
      const first = conns.waiting.values().next();
      if (first.done === true) return;
      const conn = first.value;
      this.counters.inc('reassembly.cap_total_bytes');
      conn.flush(this.clock.sec, this.clock.nsec);
      conns.updateWaiting(conn);
      if (conn.finished()) conns.close(conn, 'fin', true);
    }
  }
}
