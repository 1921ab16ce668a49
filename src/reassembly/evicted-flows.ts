/**
 * Memory of connections evicted at the connection cap (Assembler maxConnections). An evicted connection
 * is usually still alive: its next packet opens a new connection. Without memory that new connection
 * would start at whatever segment comes first, so a retransmitted or duplicated segment of bytes the
 * old connection already delivered would be delivered again, and the HTTP layer would report the same
 * request twice. With it, the new connection knows its roles (from the old one) and resumes each
 * direction at the old one's next expected sequence number: older bytes are retransmissions.
 *
 * One small record per evicted flow (address bytes, ports, two sequence numbers), keyed by the
 * flow table's symmetric hash; a colliding flow replaces the record. Cap: `max` records (the assembler
 * passes maxConnections); beyond it the oldest is forgotten (`reassembly.evicted_forgotten`). A record is
 * used once (taken), and dropped when a SYN opens a new connection on its 4-tuple.
 */
import type { DecodedPacket } from '../decode/types.js';
import type { Counters } from '../util/counters.js';
import type { Connection } from './connection.js';
import type { Direction } from './types.js';

export class EvictedFlow {
  constructor(
    /** Client address bytes then server address bytes, one byte per char (Connection.addresses()). */
    readonly addrs: string,
    readonly clientPort: number,
    readonly serverPort: number,
    /** Per direction (0 client -> server): whether it had started, and its next expected sequence number. */
    readonly started: [boolean, boolean],
    readonly nextSeq: [number, number],
  ) {}

  /** 0 when the packet goes client -> server, 1 server -> client, -1 another flow. */
  directionOf(pkt: DecodedPacket): -1 | Direction {
    const n = this.addrs.length >> 1;
    if (pkt.addrLen !== n) return -1;
    if (pkt.srcPort === this.clientPort && pkt.dstPort === this.serverPort
      && this.same(pkt.buf, pkt.srcAddrOff, 0) && this.same(pkt.buf, pkt.dstAddrOff, n)) return 0;
    if (pkt.srcPort === this.serverPort && pkt.dstPort === this.clientPort
      && this.same(pkt.buf, pkt.srcAddrOff, n) && this.same(pkt.buf, pkt.dstAddrOff, 0)) return 1;
    return -1;
  }

  private same(buf: Buffer, off: number, at: number): boolean {
    const n = this.addrs.length >> 1;
    for (let i = 0; i < n; i++) if (buf[off + i] !== this.addrs.charCodeAt(at + i)) return false;
    return true;
  }
}

export class EvictedFlows {
  private readonly byHash = new Map<number, EvictedFlow>();
  /** Direction of the packet in the record returned by the last successful take(). */
  takenDir: Direction = 0;

  constructor(private readonly max: number, private readonly counters: Counters) {}

  get size(): number {
    return this.byHash.size;
  }

  /** Records an evicted connection (after its held data was flushed). */
  remember(conn: Connection): void {
    if (this.max <= 0) return;
    const rec = new EvictedFlow(conn.addresses(), conn.clientPort, conn.serverPort,
      [conn.toServer.started, conn.toClient.started], [conn.toServer.nextSeq, conn.toClient.nextSeq]);
    this.byHash.delete(conn.hash); // re-insert: insertion order is age order
    this.byHash.set(conn.hash, rec);
    if (this.byHash.size > this.max) {
      const oldest = this.byHash.keys().next();
      if (oldest.done !== true) this.byHash.delete(oldest.value);
      this.counters.inc('reassembly.evicted_forgotten');
    }
  }

  /** The record of the packet's flow, removed from memory (sets takenDir), or undefined. */
  take(pkt: DecodedPacket, hash: number): EvictedFlow | undefined {
    const rec = this.byHash.get(hash);
    if (rec === undefined) return undefined;
    const dir = rec.directionOf(pkt);
    if (dir < 0) return undefined;
    this.byHash.delete(hash);
    this.takenDir = dir as Direction;
    return rec;
  }
}
