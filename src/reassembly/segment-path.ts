/**
 * The per-packet path of an open connection: applies one segment (RST, SYN, payload, FIN, ACK)
 * to its two half streams, then enforces what that segment may have changed: the per-connection
 * caps, this connection's stream timeouts (checked on every packet so that busy connections see
 * their gaps on time), its waiting-set membership, and its close once both FINs are done.
 *
 * pkt.buf is valid only during the call: in-order payload is handed on as a view, anything held
 * is copied by the half stream's queue. Nothing is allocated here per packet.
 */
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type DecodedPacket } from '../decode/types.js';
import type { Counters } from '../util/counters.js';
import type { Direction } from './types.js';
import type { Connection } from './connection.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { CapEnforcer } from './caps.js';
import type { AssemblerOptions } from './options.js';
import type { PacketClock } from './packet-clock.js';
import { seqAdd, seqDiff } from './seq.js';

export class SegmentPath {
  constructor(
    private readonly options: AssemblerOptions,
    private readonly counters: Counters,
    private readonly conns: ConnectionRegistry,
    private readonly caps: CapEnforcer,
    private readonly clock: PacketClock,
  ) {}

  /** Applies one segment to an open connection; dir is the packet's direction in it. */
  apply(conn: Connection, dir: Direction, pkt: DecodedPacket): void {
    const flags = pkt.flags;
    if ((flags & TCP_RST) !== 0) {
      this.conns.close(conn, 'rst', true);
      return;
    }
    const half = conn.half(dir);
    const peer = conn.half(dir === 0 ? 1 : 0);
    const now = this.clock.now;
    let seq = pkt.seq;
    if ((flags & TCP_SYN) !== 0) {
      half.startFromIsn(seq);
      if ((flags & TCP_ACK) !== 0) peer.startFromIsn(seqAdd(pkt.ack, -1));
      seq = seqAdd(seq, 1);
    }
    const fin = (flags & TCP_FIN) !== 0;
    if (pkt.payloadLen > 0 || fin) {
      half.onSegment(pkt.buf, pkt.payloadOff, pkt.payloadLen, seq, fin, pkt.tsSec, pkt.tsNsec, now);
    }
    const tsSec = this.clock.sec;
    const tsNsec = this.clock.nsec;
    // The peer acknowledged its FIN: the receiver holds every byte before it, so a hole still
    // open there was lost by the capture and no retransmission will fill it.
    if ((flags & TCP_ACK) !== 0 && peer.finSeen && peer.hasPending()
      && seqDiff(pkt.ack, seqAdd(peer.finSeq, 1)) >= 0) {
      this.counters.inc('reassembly.gap_acked');
      peer.flush(tsSec, tsNsec);
    }
    if (this.caps.connOverCap(conn)) this.caps.enforceConnCap(conn, tsSec, tsNsec);
    const timeout = this.options.streamTimeoutSec;
    if (conn.toServer.hasPending() && conn.toServer.flushExpired(now, timeout, tsSec, tsNsec)) {
      this.counters.inc('reassembly.gap_timeout');
    }
    if (conn.toClient.hasPending() && conn.toClient.flushExpired(now, timeout, tsSec, tsNsec)) {
      this.counters.inc('reassembly.gap_timeout');
    }
    this.conns.updateWaiting(conn);
    if (conn.finished()) this.conns.close(conn, 'fin', true);
  }
}
