// Streams a classic pcap file (nanosecond timestamps, LINKTYPE_ETHERNET) to disk: the benchmark's capture
// generator and the tests' large hostile captures. pcap-file.ts holds the in-memory reader and writer.
// Contract: packets are written into one reused staging buffer of `bufferBytes` (default 4 MiB) and
// flushed with a synchronous write when full, so memory stays bounded whatever the file size.
// The payload passed to `tcp()` is copied into the staging buffer during the call; the caller keeps
// ownership of it. Only IPv4/TCP frames without options are produced (54 header bytes, no Ethernet padding).
// Same calls => byte-identical file.
import { openSync, writeSync, closeSync } from 'node:fs';
import { GLOBAL_HEADER_LEN, LINKTYPE_ETHERNET, RECORD_HEADER_LEN, writeGlobalHeader, writeRecordHeader } from './pcap-file.js';
import { internetChecksum } from './packet-builder.js';

const HEADER_BYTES = 14 + 20 + 20;

export class PcapWriter {
  /** Frames written so far. */
  packets = 0;
  /** File size so far (global header, record headers and frames), flushed or not. */
  bytes = GLOBAL_HEADER_LEN;
  private readonly fd: number;
  private readonly buf: Buffer;
  private pos = 0;

  /**
   * @param path     the file to create (truncated when it exists)
   * @param baseSec  epoch seconds of packet time 0 (tcp() takes times relative to it)
   */
  constructor(path: string, private readonly baseSec: number, bufferBytes = 4 * 1024 * 1024) {
    this.fd = openSync(path, 'w');
    this.buf = Buffer.allocUnsafe(bufferBytes);
    const h = Buffer.alloc(GLOBAL_HEADER_LEN);
    writeGlobalHeader(h, LINKTYPE_ETHERNET, true);
    writeSync(this.fd, h);
  }

  flush(): void {
    if (this.pos > 0) writeSync(this.fd, this.buf, 0, this.pos);
    this.pos = 0;
  }

  /**
   * One Ethernet/IPv4/TCP frame. The MAC addresses tell the directions apart (the side on port 80 or
   * 8080 is the server); the IP id counts frames; DF is set; the TCP checksum is left zero, as with
   * checksum offload.
   * @param tsNs   packet time in nanoseconds after baseSec (an integer below 2^53)
   * @param srcIp  IPv4 addresses as unsigned 32-bit integers (so are dstIp)
   * @param seq    32-bit sequence numbers, wrapped here (so is ack)
   * @param flags  TCP flag bits (TCP_* of packet-builder.ts)
   * @param payload bytes copied into the frame (null = none)
   */
  tcp(tsNs: number, srcIp: number, dstIp: number, sport: number, dport: number, seq: number, ack: number,
    flags: number, payload: Buffer | null): void {
    const plen = payload ? payload.length : 0;
    const frame = HEADER_BYTES + plen;
    if (this.pos + RECORD_HEADER_LEN + frame > this.buf.length) this.flush();
    const b = this.buf;
    let o = this.pos;
    const sec = Math.floor(tsNs / 1e9);
    writeRecordHeader(b, o, this.baseSec + sec, Math.floor(tsNs - sec * 1e9), frame, frame);
    o += RECORD_HEADER_LEN;
    // Ethernet: fixed locally administered MACs chosen by direction.
    const toServer = dport === 8080 || dport === 80;
    b.writeUInt32BE(0x02000000, o); b.writeUInt16BE(toServer ? 1 : 2, o + 4);
    b.writeUInt32BE(0x02000000, o + 6); b.writeUInt16BE(toServer ? 2 : 1, o + 10);
    b.writeUInt16BE(0x0800, o + 12);
    o += 14;
    b[o] = 0x45; b[o + 1] = 0;
    b.writeUInt16BE(20 + 20 + plen, o + 2);
    b.writeUInt16BE(this.packets & 0xffff, o + 4);
    b.writeUInt16BE(0x4000, o + 6); // DF
    b[o + 8] = 64; b[o + 9] = 6;
    b.writeUInt16BE(0, o + 10);
    b.writeUInt32BE(srcIp >>> 0, o + 12);
    b.writeUInt32BE(dstIp >>> 0, o + 16);
    b.writeUInt16BE(internetChecksum(b, o, o + 20), o + 10);
    o += 20;
    b.writeUInt16BE(sport, o); b.writeUInt16BE(dport, o + 2);
    b.writeUInt32BE(seq >>> 0, o + 4); b.writeUInt32BE(ack >>> 0, o + 8);
    b[o + 12] = 5 << 4; b[o + 13] = flags;
    b.writeUInt16BE(65535, o + 14);
    b.writeUInt16BE(0, o + 16); // checksum
    b.writeUInt16BE(0, o + 18);
    o += 20;
    if (payload && plen > 0) { payload.copy(b, o); o += plen; }
    this.pos = o;
    this.packets++;
    this.bytes += RECORD_HEADER_LEN + frame;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
