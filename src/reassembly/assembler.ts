/**
 * The TCP reassembly stage: turns decoded segments into ordered byte streams per direction of each
 * connection, reports what is missing as gaps, and closes connections.
 *
 * Call order: onPacket (per TCP segment) and tick (once per batch) any number of times, then
 * closeAll once. Everything is synchronous; packet time (never the wall clock) drives every
 * timeout. The clock only moves forward: an older packet does not rewind it (packet-clock.ts).
 *
 * This file is the entry point: flow lookup, connection creation (roles, eviction memory, port
 * reuse) and the public methods. The parts it wires together:
 *  - connection-registry.ts: the flow table, the open / lingering / waiting structures, close().
 *  - segment-path.ts: what one segment does to an open connection.
 *  - caps.ts: connection caps (eviction, embryonic first) and held-data caps.
 *  - timeouts.ts: stream-timeout, idle and linger sweeps, none of which scans every connection.
 *
 * See docs/reassembly.md for the limits and the counters.
 */
import { TCP_ACK, TCP_RST, TCP_SYN, type DecodedPacket } from '../decode/types.js';
import type { Counters } from '../util/counters.js';
import type { Direction, StreamConsumerFactory } from './types.js';
import { ReassemblyContext } from './context.js';
import { Connection, ConnState } from './connection.js';
import { ConnectionRegistry } from './connection-registry.js';
import { CapEnforcer } from './caps.js';
import { EvictedFlows } from './evicted-flows.js';
import { PacketClock } from './packet-clock.js';
import { SegmentPath } from './segment-path.js';
import { TimeoutSweeper } from './timeouts.js';
import { resolveAssemblerOptions, type AssemblerOptions, type AssemblerStats } from './options.js';
import { connectionInfo, decideRoles, Roles } from './roles.js';

export class Assembler {
  private readonly ctx: ReassemblyContext;
  private readonly options: AssemblerOptions;
  private readonly counters: Counters;
  private readonly clock = new PacketClock();
  private readonly conns: ConnectionRegistry;
  /** Flows evicted at the connection cap, so that their return resumes where they stopped. */
  private readonly evicted: EvictedFlows;
  private readonly caps: CapEnforcer;
  private readonly segments: SegmentPath;
  private readonly timeouts: TimeoutSweeper;
  private nextId = 1;
  private connectionsCreated = 0;
  private packets = 0;

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
    this.conns = new ConnectionRegistry(this.options, counters, this.clock, flowHashSeed);
    this.evicted = new EvictedFlows(this.options.maxConnections, counters);
    this.caps = new CapEnforcer(this.ctx, this.conns, this.evicted, this.clock);
    this.segments = new SegmentPath(this.options, counters, this.conns, this.caps, this.clock);
    this.timeouts = new TimeoutSweeper(this.options, counters, this.conns, this.clock);
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
      this.clock.advance(tsSec, tsNsec);
      this.timeouts.maybeRun();
    } catch {
      this.counters.inc('reassembly.internal_error');
    }
  }

  /** End of capture: every open connection is flushed (gaps, then held data) and closed with 'end'. */
  closeAll(): void {
    try {
      this.conns.endAll();
    } catch {
      this.counters.inc('reassembly.internal_error');
    }
    this.conns.clear();
  }

  /** Numbers for the stats line; also publishes the running totals into the counters. */
  stats(): AssemblerStats {
    const ctx = this.ctx;
    const conns = this.conns;
    const s: AssemblerStats = {
      connectionsOpen: conns.open.size,
      connectionsEmbryonic: conns.open.embryonicSize,
      connectionsLingering: conns.lingering.size,
      connectionsWaiting: conns.waiting.size,
      connectionsCreated: this.connectionsCreated,
      bytesBuffered: ctx.bytesBuffered,
      payloadBytesBuffered: ctx.payloadBytesBuffered,
      segmentsBuffered: ctx.segmentsBuffered,
      segmentQueues: ctx.segmentQueues,
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
    this.clock.advance(pkt.tsSec, pkt.tsNsec);
    const flags = pkt.flags;
    const table = this.conns.table;
    const hash = table.hashOf(pkt);
    let conn = table.find(pkt, hash);
    let dir = table.foundDir;
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
        dir = table.foundDir;
        this.segments.apply(conn, dir, pkt);
      }
    } else if (conn.state === ConnState.Lingering) {
      this.counters.inc('reassembly.after_close');
    } else {
      conn.lastSeen = this.clock.now;
      this.conns.open.touch(conn, flags, pkt.payloadLen);
      this.segments.apply(conn, dir, pkt);
    }
    if (this.caps.totalOverCap()) this.caps.enforceTotalCap();
    this.timeouts.maybeRun();
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
      this.conns.dropLingering(conn);
      return;
    }
    this.counters.inc('reassembly.port_reuse');
    this.conns.close(conn, conn.anyFin() ? 'fin' : 'evicted', false);
  }

  /**
   * Opens a connection for the packet (which is not a bare ACK/FIN/RST): decides roles (or takes
   * them from the eviction memory), makes room under the connection caps, and sets
   * table.foundDir to the packet's direction in it.
   */
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
    this.caps.makeRoom(pkt.payloadLen > 0);
    const conn = new Connection(this.ctx, info, hash, pkt, srcIsClient);
    if (past !== undefined && (pkt.flags & TCP_SYN) === 0) {
      if (past.started[0]) conn.toServer.resumeAt(past.nextSeq[0]);
      if (past.started[1]) conn.toClient.resumeAt(past.nextSeq[1]);
    }
    conn.lastSeen = this.clock.now;
    const table = this.conns.table;
    table.add(conn);
    this.conns.open.add(conn, pkt.flags, pkt.payloadLen);
    this.connectionsCreated++;
    table.foundDir = srcIsClient ? 0 : 1;
    conn.attach(this.factory);
    return conn;
  }
}
