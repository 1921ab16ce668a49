/**
 * The hot loop between capture and reassembly: walks a batch, decodes each packet into one reused
 * DecodedPacket and hands TCP segments to the assembler. No allocation per packet.
 *
 * Call order: onBatch (any number of times, one batch at a time) -> finish (once, at end of capture).
 */
import { META_FIELDS, META_OFFSET, META_CAPLEN, META_TS_SEC, META_TS_NSEC } from '../capture/types.js';
import type { BatchSink, PacketBatch } from '../capture/types.js';
import { DecodedPacket, DecodeResult } from '../decode/types.js';

/** What the pump needs from the decode stage. */
export interface Decoder {
  decode(linkType: number, buf: Buffer, off: number, caplen: number, out: DecodedPacket): DecodeResult;
}

/** What the pump needs from the reassembly stage. */
export interface SegmentSink {
  onPacket(pkt: DecodedPacket): void;
  tick(tsSec: number, tsNsec: number): void;
  closeAll(): void;
}

/** Something downstream that can ask a file reader to wait (the export pipeline). */
export interface Readiness {
  whenReady(): Promise<void> | null;
}

export class PacketPump implements BatchSink {
  private readonly pkt = new DecodedPacket();
  /** Packets seen and TCP segments passed on, for the stats line. */
  packets = 0;
  bytes = 0;
  segments = 0;
  /** Packet time of the newest packet seen (seconds, nanoseconds). */
  lastSec = 0;
  lastNsec = 0;

  /** Set by the composition root when the exchanges' destination can apply backpressure. */
  readiness: Readiness | null = null;

  constructor(
    private readonly decoder: Decoder,
    private readonly assembler: SegmentSink,
  ) {}

  whenReady(): Promise<void> | null {
    return this.readiness === null ? null : this.readiness.whenReady();
  }

  onBatch(batch: PacketBatch): void {
    const { data, meta, count, linkType } = batch;
    const pkt = this.pkt;
    const decoder = this.decoder;
    const assembler = this.assembler;
    let segments = 0;
    let bytes = 0;
    for (let i = 0, m = 0; i < count; i++, m += META_FIELDS) {
      const caplen = meta[m + META_CAPLEN];
      bytes += caplen;
      pkt.tsSec = meta[m + META_TS_SEC];
      pkt.tsNsec = meta[m + META_TS_NSEC];
      if (decoder.decode(linkType, data, meta[m + META_OFFSET], caplen, pkt) !== DecodeResult.Ok) continue;
      segments++;
      assembler.onPacket(pkt);
    }
    this.packets += count;
    this.bytes += bytes;
    this.segments += segments;
    if (count > 0) {
      const m = (count - 1) * META_FIELDS;
      const sec = meta[m + META_TS_SEC];
      const nsec = meta[m + META_TS_NSEC];
      // packet time only moves forward: a late batch from another interface must not rewind the clock
      if (sec > this.lastSec || (sec === this.lastSec && nsec > this.lastNsec)) {
        this.lastSec = sec;
        this.lastNsec = nsec;
      }
      assembler.tick(this.lastSec, this.lastNsec);
    }
  }

  /** End of capture: every connection is flushed and closed. */
  finish(): void {
    this.assembler.closeAll();
  }
}
