/**
 * The TCP reassembly stage: turns decoded segments into ordered byte streams per direction of each
 * connection, reports what is missing as gaps, and closes connections.
 *
 * Call order: onPacket (per TCP segment) and tick (once per batch) any number of times, then
 * closeAll once. Everything is synchronous; packet time (never the wall clock) drives every
 * timeout. The clock only moves forward: an older packet does not rewind it.
 *
 * Timeouts without scanning every connection: open connections are kept in lists ordered by last
 * activity (moved to the tail on each packet, O(1)), one per stage (open-connections.ts: SYN only,
 * SYN-ACK seen, handshaken, established). The idle sweep stops at the first connection of each list
 * that is not idle. Eviction takes the head of the lowest non-empty stage, so a SYN flood evicts a
 * connection that carried payload only when no embryonic one is left (never, while fewer than
 * maxConnections connections carried payload). Connections holding data are kept in a separate `waiting` set,
 * the only ones the stream-timeout sweep visits. Sweeps run at most once per
 * timeoutCheckIntervalSec of packet time. A connection that receives a packet also has its own
 * holes checked right then, so busy connections see their gaps on time.
 *
 * See docs/reassembly.md for the limits and the counters.
 */
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type DecodedPacket } from '../decode/types.js';
import type { Counters } from '../util/counters.js';
import type { CloseReason, Direction, StreamConsumerFactory } from './types.js';
import { ReassemblyContext } from './context.js';
import { ConnList } from './conn-list.js';
import { Connection, ConnStage, ConnState } from './connection.js';
import { OpenConnections } from './open-connections.js';
import { EvictedFlows } from './evicted-flows.js';
import { FlowTable } from './flow-table.js';
import { resolveAssemblerOptions, type AssemblerOptions, type AssemblerStats } from './options.js';
import { connectionInfo, decideRoles, Roles } from './roles.js';
import { seqAdd, seqDiff } from './seq.js';

const CLOSE_COUNTER: Record<CloseReason, string> = {
  fin: 'reassembly.close_fin',
  rst: 'reassembly.close_rst',
  timeout: 'reassembly.close_timeout',
  evicted: 'reassembly.close_evicted',
  end: 'reassembly.close_end',
};

export class Assembler {
  private readonly ctx: ReassemblyContext;
  private readonly options: AssemblerOptions;
  private readonly counters: Counters;
  private readonly table: FlowTable;
  /** Open connections by stage, each list least recently active first. */
  private readonly open = new OpenConnections();
  /** min(maxEmbryonicConnections, maxConnections). */
  private readonly maxEmbryonic: number;
  /** Connections closed by FIN/RST, kept closedLingerSec; oldest close first. At most maxConnections. */
  private readonly lingering = new ConnList<Connection>();
  /** Open connections with pending data (Set order: the one waiting longest first). */
  private readonly waiting = new Set<Connection>();
  /** Flows evicted at the connection cap, so that their return resumes where they stopped. */
  private readonly evicted: EvictedFlows;
  private nextId = 1;
  private connectionsCreated = 0;
  private packets = 0;
  /** Packet clock: newest packet time seen, as (sec, nsec) and as seconds. */
  private nowSec = 0;
  private nowNsec = 0;
  private now = 0;
  private nextCheckAt = 0;

  constructor(
    private readonly factory: StreamConsumerFactory,
    options: Partial<AssemblerOptions>,
    counters: Counters,
    /** Hash seed for the flow table (tests); random by default. */
    flowHashSeed?: number,
  ) {
    this.options = resolveAssemblerOptions(options);
    this.counters = counters;
    this.ctx = new ReassemblyContext(this.options, counters);
    this.table = new FlowTable(flowHashSeed);
    this.evicted = new EvictedFlows(this.options.maxConnections, counters);
    this.maxEmbryonic = Math.min(this.options.maxEmbryonicConnections, this.options.maxConnections);
  }

  /** One decoded TCP segment; pkt.buf is valid only during the call. Never throws. */
  onPacket(pkt: DecodedPacket): void {
    try {
      this.handlePacket(pkt);
    } catch {
      this.counters.inc('reassembly.internal_error');
    }
  }

  /** Advances packet time without a packet (once per batch) and runs the timeouts that are due. */
  tick(tsSec: number, tsNsec: number): void {
    try {
      this.advanceClock(tsSec, tsNsec);
      this.maybeCheckTimeouts();
    } catch {
      this.counters.inc('reassembly.internal_error');
    }
  }

  /** End of capture: every open connection is flushed (gaps, then held data) and closed with 'end'. */
  closeAll(): void {
    try {
      for (let c = this.open.victim(); c !== null; c = this.open.victim()) this.close(c, 'end', false);
      for (let c = this.lingering.head; c !== null; c = this.lingering.head) this.dropLingering(c);
    } catch {
      this.counters.inc('reassembly.internal_error');
    }
    this.waiting.clear();
    this.table.clear();
  }

  /** Numbers for the stats line; also publishes the running totals into the counters. */
  stats(): AssemblerStats {
    const ctx = this.ctx;
    const s: AssemblerStats = {
      connectionsOpen: this.open.size,
      connectionsEmbryonic: this.open.embryonicSize,
      connectionsLingering: this.lingering.size,
      connectionsWaiting: this.waiting.size,
      connectionsCreated: this.connectionsCreated,
      bytesBuffered: ctx.bytesBuffered,
      payloadBytesBuffered: ctx.payloadBytesBuffered,
      segmentsBuffered: ctx.segmentsBuffered,
      packets: this.packets,
      bytesDelivered: ctx.bytesDelivered,
      gaps: ctx.gaps,
      gapBytes: ctx.gapBytes,
    };
    this.counters.set('reassembly.packets', s.packets);
    this.counters.set('reassembly.connections_created', s.connectionsCreated);
    this.counters.set('reassembly.bytes_delivered', s.bytesDelivered);
    this.counters.set('reassembly.gap_bytes', s.gapBytes);
    return s;
  }

  private handlePacket(pkt: DecodedPacket): void {
    this.packets++;
    this.advanceClock(pkt.tsSec, pkt.tsNsec);
    const flags = pkt.flags;
    const hash = this.table.hashOf(pkt);
    let conn = this.table.find(pkt, hash);
    let dir = this.table.foundDir;
    if (conn !== undefined && (flags & TCP_SYN) !== 0 && this.isNewIncarnation(conn, dir, pkt)) {
      this.retire(conn);
      conn = undefined;
    }
    if (conn === undefined) {
      if ((flags & TCP_RST) !== 0 || (pkt.payloadLen === 0 && (flags & TCP_SYN) === 0)) {
        // a bare ACK/FIN/RST cannot start a connection: its data, if any, comes later
        this.counters.inc('reassembly.no_connection');
      } else {
        conn = this.create(pkt, hash);
        dir = this.table.foundDir;
        this.process(conn, dir, pkt);
      }
    } else if (conn.state === ConnState.Lingering) {
      this.counters.inc('reassembly.after_close');
    } else {
      conn.lastSeen = this.now;
      this.open.touch(conn, flags, pkt.payloadLen);
      this.process(conn, dir, pkt);
    }
    if (this.ctx.bytesBuffered > this.options.maxBufferedBytesTotal) this.enforceTotalCap();
    this.maybeCheckTimeouts();
  }

  /** A SYN on a known 4-tuple that does not belong to the connection on record (port reuse). */
  private isNewIncarnation(conn: Connection, dir: Direction, pkt: DecodedPacket): boolean {
    const isn = conn.half(dir).isn;
    if ((pkt.flags & TCP_ACK) !== 0) return conn.state === ConnState.Lingering && isn !== pkt.seq;
    return isn !== pkt.seq;
  }

  /** Ends the connection on record so that a new one can take its 4-tuple. */
  private retire(conn: Connection): void {
    if (conn.state === ConnState.Lingering) {
      this.dropLingering(conn);
      return;
    }
    this.counters.inc('reassembly.port_reuse');
    this.close(conn, conn.anyFin() ? 'fin' : 'evicted', false);
  }

  /**
   * Makes room for a new connection (established: it carries payload). An embryonic newcomer first
   * respects the embryonic cap. Then, at maxConnections, embryonic connections go first (least
   * recently active first); established ones only when no embryonic one is left.
   */
  private makeRoom(established: boolean): void {
    const open = this.open;
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
    this.close(victim, 'evicted', false);
    if (stage >= ConnStage.Handshaken) this.evicted.remember(victim);
  }

  private create(pkt: DecodedPacket, hash: number): Connection {
    const past = this.evicted.take(pkt, hash); // before evicting, which may forget the oldest record
    let roles = decideRoles(pkt.flags, pkt.srcPort, pkt.dstPort);
    if (past !== undefined && (pkt.flags & TCP_SYN) === 0) {
      roles = this.evicted.takenDir === 0 ? Roles.ResumedSourceIsClient : Roles.ResumedSourceIsServer;
      this.counters.inc('reassembly.evicted_resumed');
    }
    const srcIsClient = roles === Roles.SourceIsClient || roles === Roles.GuessedSourceIsClient
      || roles === Roles.ResumedSourceIsClient;
    const info = connectionInfo(this.nextId++, pkt, roles);
    this.makeRoom(pkt.payloadLen > 0);
    const conn = new Connection(this.ctx, info, hash, pkt, srcIsClient);
    if (past !== undefined && (pkt.flags & TCP_SYN) === 0) {
      if (past.started[0]) conn.toServer.resumeAt(past.nextSeq[0]);
      if (past.started[1]) conn.toClient.resumeAt(past.nextSeq[1]);
    }
    conn.lastSeen = this.now;
    this.table.add(conn);
    this.open.add(conn, pkt.flags, pkt.payloadLen);
    this.connectionsCreated++;
    this.table.foundDir = srcIsClient ? 0 : 1;
    conn.attach(this.factory);
    return conn;
  }

  /** Applies one segment to an open connection. */
  private process(conn: Connection, dir: Direction, pkt: DecodedPacket): void {
    const flags = pkt.flags;
    if ((flags & TCP_RST) !== 0) {
      this.close(conn, 'rst', true);
      return;
    }
    const half = conn.half(dir);
    const peer = conn.half(dir === 0 ? 1 : 0);
    let seq = pkt.seq;
    if ((flags & TCP_SYN) !== 0) {
      half.startFromIsn(seq);
      if ((flags & TCP_ACK) !== 0) peer.startFromIsn(seqAdd(pkt.ack, -1));
      seq = seqAdd(seq, 1);
    }
    const fin = (flags & TCP_FIN) !== 0;
    if (pkt.payloadLen > 0 || fin) {
      half.onSegment(pkt.buf, pkt.payloadOff, pkt.payloadLen, seq, fin, pkt.tsSec, pkt.tsNsec, this.now);
    }
    const tsSec = this.nowSec;
    const tsNsec = this.nowNsec;
    // The peer acknowledged its FIN: the receiver holds every byte before it, so a hole still
    // open there was lost by the capture and no retransmission will fill it.
    if ((flags & TCP_ACK) !== 0 && peer.finSeen && peer.hasPending()
      && seqDiff(pkt.ack, seqAdd(peer.finSeq, 1)) >= 0) {
      this.counters.inc('reassembly.gap_acked');
      peer.flush(tsSec, tsNsec);
    }
    const o = this.options;
    if (conn.bufferedBytes() > o.maxBufferedBytesPerConn || conn.bufferedSegments() > o.maxSegmentsPerConn) {
      this.enforceConnCap(conn, tsSec, tsNsec);
    }
    if (conn.toServer.hasPending() && conn.toServer.flushExpired(this.now, o.streamTimeoutSec, tsSec, tsNsec)) {
      this.counters.inc('reassembly.gap_timeout');
    }
    if (conn.toClient.hasPending() && conn.toClient.flushExpired(this.now, o.streamTimeoutSec, tsSec, tsNsec)) {
      this.counters.inc('reassembly.gap_timeout');
    }
    this.updateWaiting(conn);
    if (conn.finished()) this.close(conn, 'fin', true);
  }

  /** Per-connection caps: skip to the earliest held segment of the fuller direction until it fits. */
  private enforceConnCap(conn: Connection, tsSec: number, tsNsec: number): void {
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

  /** Total cap: flush the connections that have waited longest until the total fits. */
  private enforceTotalCap(): void {
    const max = this.options.maxBufferedBytesTotal;
    while (this.ctx.bytesBuffered > max) {
      const first = this.waiting.values().next();
      if (first.done === true) return;
      const conn = first.value;
      this.counters.inc('reassembly.cap_total_bytes');
      conn.flush(this.nowSec, this.nowNsec);
      this.updateWaiting(conn);
      if (conn.finished()) this.close(conn, 'fin', true);
    }
  }

  private updateWaiting(conn: Connection): void {
    const pending = conn.hasPending();
    if (pending === conn.waiting) return;
    conn.waiting = pending;
    if (pending) this.waiting.add(conn);
    else this.waiting.delete(conn);
  }

  /**
   * Flushes held data (gaps first), tells the consumer, and either keeps the connection as a
   * lingering entry (FIN/RST: its stray packets are then ignored) or forgets it.
   */
  private close(conn: Connection, reason: CloseReason, linger: boolean): void {
    if (conn.state !== ConnState.Open) return;
    const tsSec = this.nowSec;
    const tsNsec = this.nowNsec;
    conn.flush(tsSec, tsNsec);
    if (conn.waiting) {
      conn.waiting = false;
      this.waiting.delete(conn);
    }
    this.open.remove(conn);
    this.counters.inc(CLOSE_COUNTER[reason]);
    conn.emitClose(reason, tsSec, tsNsec);
    if (!linger) {
      conn.state = ConnState.Removed;
      this.table.remove(conn);
      return;
    }
    conn.state = ConnState.Lingering;
    conn.closedAt = this.now;
    this.lingering.append(conn);
    if (this.lingering.size > this.options.maxConnections) this.dropLingering(this.lingering.head!);
  }

  private dropLingering(conn: Connection): void {
    this.lingering.remove(conn);
    conn.state = ConnState.Removed;
    this.table.remove(conn);
  }

  private advanceClock(sec: number, nsec: number): void {
    if (sec > this.nowSec || (sec === this.nowSec && nsec > this.nowNsec)) {
      this.nowSec = sec;
      this.nowNsec = nsec;
      this.now = sec + nsec / 1e9;
    }
  }

  private maybeCheckTimeouts(): void {
    if (this.now < this.nextCheckAt) return;
    this.nextCheckAt = this.now + this.options.timeoutCheckIntervalSec;
    const o = this.options;
    const now = this.now;
    const tsSec = this.nowSec;
    const tsNsec = this.nowNsec;
    for (const conn of this.waiting) {
      const a = conn.toServer.flushExpired(now, o.streamTimeoutSec, tsSec, tsNsec);
      const b = conn.toClient.flushExpired(now, o.streamTimeoutSec, tsSec, tsNsec);
      if (a || b) this.counters.inc('reassembly.gap_timeout');
      this.updateWaiting(conn);
      if (conn.finished()) this.close(conn, 'fin', true);
    }
    for (const list of this.open.lists) {
      for (let c = list.head; c !== null && now - c.lastSeen >= o.idleTimeoutSec; c = list.head) {
        this.close(c, c.anyFin() ? 'fin' : 'timeout', false);
      }
    }
    for (let c = this.lingering.head; c !== null && now - c.closedAt >= o.closedLingerSec; c = this.lingering.head) {
      this.dropLingering(c);
    }
  }
}
