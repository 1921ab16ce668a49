/**
 * One TCP connection: its identity (addresses copied at creation, ConnectionInfo strings built
 * once), its two half streams, and the guarded calls into its consumer.
 *
 * The consumer must not throw; if it does, the error is swallowed and counted as
 * `reassembly.consumer_error` so one bad connection cannot stop the capture.
 */
import type { DecodedPacket } from '../decode/types.js';
import type { CloseReason, ConnectionInfo, Direction, StreamConsumer, StreamConsumerFactory } from './types.js';
import type { ReassemblyContext } from './context.js';
import type { ListNode } from './conn-list.js';
import { HalfStream, type StreamOutput } from './half-stream.js';

export const enum ConnState {
  Open = 0,
  /** Closed by FIN or RST; kept in the flow table for closedLingerSec to absorb stray packets. */
  Lingering = 1,
  /** Gone from every structure. */
  Removed = 2,
}

/**
 * How far an open connection has got (open-connections.ts); it only moves forward. Eviction takes
 * the lowest stage first.
 */
export const enum ConnStage {
  /** Only SYNs without ACK seen (a SYN and its retransmissions): nobody answered. */
  Syn = 0,
  /** A SYN-ACK seen, but no packet without SYN: the handshake is not complete. */
  SynAck = 1,
  /** A packet without SYN seen (the handshake's last ACK, a bare FIN), no payload yet. */
  Handshaken = 2,
  /** Payload seen in either direction. */
  Established = 3,
}

/** Used when the factory throws: the connection is still tracked, its bytes go nowhere. */
const NULL_CONSUMER: StreamConsumer = {
  onData() {},
  onGap() {},
  onClose() {},
};

export class Connection implements StreamOutput, ListNode {
  prev: Connection | null = null;
  next: Connection | null = null;
  state = ConnState.Open;
  /** Packet time (s) of the last packet of this connection. */
  lastSeen = 0;
  /** Packet time (s) at which it was closed (Lingering only). */
  closedAt = 0;
  /** Member of the assembler's waiting set (holds data or waits for a hole before a FIN). */
  waiting = false;
  /** Set by OpenConnections; decides the eviction order (embryonic stages go first). */
  stage = ConnStage.Syn;
  readonly clientPort: number;
  readonly serverPort: number;
  readonly addrLen: number;
  readonly toServer: HalfStream;
  readonly toClient: HalfStream;
  consumer: StreamConsumer = NULL_CONSUMER;
  /**
   * Client address bytes at [0, addrLen), server address bytes at [addrLen, 2*addrLen), one byte per
   * char (latin1). A string of 8 chars (IPv4) takes 24 bytes of heap where a Uint8Array with its
   * ArrayBuffer took about 200, and this copy is made for every connection, SYN-flood entries included.
   */
  private readonly addrs: string;

  constructor(
    private readonly ctx: ReassemblyContext,
    readonly info: ConnectionInfo,
    /** Flow-table key (symmetric hash of the 4-tuple). */
    readonly hash: number,
    pkt: DecodedPacket,
    /** True when the packet that creates the connection comes from the client. */
    srcIsClient: boolean,
  ) {
    const n = pkt.addrLen;
    this.addrLen = n;
    const clientOff = srcIsClient ? pkt.srcAddrOff : pkt.dstAddrOff;
    const serverOff = srcIsClient ? pkt.dstAddrOff : pkt.srcAddrOff;
    this.addrs = pkt.buf.toString('latin1', clientOff, clientOff + n)
      + pkt.buf.toString('latin1', serverOff, serverOff + n);
    this.clientPort = srcIsClient ? pkt.srcPort : pkt.dstPort;
    this.serverPort = srcIsClient ? pkt.dstPort : pkt.srcPort;
    this.toServer = new HalfStream(ctx, this, 0);
    this.toClient = new HalfStream(ctx, this, 1);
  }

  /** Creates the consumer through the factory (guarded). Called once, right after construction. */
  attach(factory: StreamConsumerFactory): void {
    try {
      this.consumer = factory.create(this.info);
    } catch {
      this.ctx.counters.inc('reassembly.consumer_error');
    }
  }

  /** 0 when the packet goes client -> server, 1 when server -> client, -1 when it is another flow. */
  directionOf(pkt: DecodedPacket): -1 | Direction {
    const n = this.addrLen;
    if (pkt.addrLen !== n) return -1;
    if (pkt.srcPort === this.clientPort && pkt.dstPort === this.serverPort
      && this.addrEquals(pkt.buf, pkt.srcAddrOff, 0) && this.addrEquals(pkt.buf, pkt.dstAddrOff, n)) return 0;
    if (pkt.srcPort === this.serverPort && pkt.dstPort === this.clientPort
      && this.addrEquals(pkt.buf, pkt.srcAddrOff, n) && this.addrEquals(pkt.buf, pkt.dstAddrOff, 0)) return 1;
    return -1;
  }

  /** The client then server address bytes, one byte per char (an immutable string: shared, not copied). */
  addresses(): string {
    return this.addrs;
  }

  half(dir: Direction): HalfStream {
    return dir === 0 ? this.toServer : this.toClient;
  }

  /** Accounted bytes held by both directions. */
  bufferedBytes(): number {
    return this.toServer.queue.accountedBytes + this.toClient.queue.accountedBytes;
  }

  bufferedSegments(): number {
    return this.toServer.queue.length + this.toClient.queue.length;
  }

  hasPending(): boolean {
    return this.toServer.hasPending() || this.toClient.hasPending();
  }

  /** Both directions ended with a FIN and everything before them was delivered. */
  finished(): boolean {
    return this.toServer.finished() && this.toClient.finished();
  }

  anyFin(): boolean {
    return this.toServer.finSeen || this.toClient.finSeen;
  }

  /** Declares every hole a gap and delivers all held data, both directions. */
  flush(tsSec: number, tsNsec: number): void {
    this.toServer.flush(tsSec, tsNsec);
    this.toClient.flush(tsSec, tsNsec);
  }

  /** Gives up both directions' queues (after flush, at close: nothing is held any more). */
  releaseQueues(): void {
    this.toServer.releaseQueue();
    this.toClient.releaseQueue();
  }

  emitData(dir: Direction, data: Buffer, tsSec: number, tsNsec: number): void {
    try {
      this.consumer.onData(dir, data, tsSec, tsNsec);
    } catch {
      this.ctx.counters.inc('reassembly.consumer_error');
    }
  }

  emitGap(dir: Direction, length: number, tsSec: number, tsNsec: number): void {
    this.ctx.counters.inc('reassembly.gap');
    try {
      this.consumer.onGap(dir, length, tsSec, tsNsec);
    } catch {
      this.ctx.counters.inc('reassembly.consumer_error');
    }
  }

  emitClose(reason: CloseReason, tsSec: number, tsNsec: number): void {
    try {
      this.consumer.onClose(reason, tsSec, tsNsec);
    } catch {
      this.ctx.counters.inc('reassembly.consumer_error');
    }
    this.consumer = NULL_CONSUMER;
  }

  private addrEquals(buf: Buffer, off: number, at: number): boolean {
    const addrs = this.addrs;
    for (let i = 0; i < this.addrLen; i++) if (buf[off + i] !== addrs.charCodeAt(at + i)) return false;
    return true;
  }
}
