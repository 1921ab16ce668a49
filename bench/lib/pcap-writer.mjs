// Streams a classic pcap file (nanosecond timestamps, LINKTYPE_ETHERNET) to disk.
// Contract: packets are written into one reused staging buffer of `bufferBytes` (default 4 MiB) and
// flushed with a synchronous write when full, so memory stays bounded whatever the file size.
// The payload passed to `tcp()` is copied into the staging buffer during the call; the caller keeps
// ownership of it. Only IPv4/TCP frames without options are produced (54 header bytes).
import { openSync, writeSync, closeSync } from 'node:fs';

const PCAP_MAGIC_NS = 0xa1b23c4d;
const LINKTYPE_ETHERNET = 1;
const HEADER_BYTES = 14 + 20 + 20;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export class PcapWriter {
  /**
   * @param {string} path
   * @param {number} baseSec  epoch seconds of packet time 0 (tcp() takes times relative to it)
   * @param {number} [bufferBytes]
   */
  constructor(path, baseSec, bufferBytes = 4 * 1024 * 1024) {
    this.baseSec = baseSec;
    this.fd = openSync(path, 'w');
    this.buf = Buffer.allocUnsafe(bufferBytes);
    this.pos = 0;
    this.packets = 0;
    this.bytes = 24;
    const h = Buffer.alloc(24);
    h.writeUInt32LE(PCAP_MAGIC_NS, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(262144, 16); // snaplen
    h.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    writeSync(this.fd, h);
  }

  flush() {
    if (this.pos > 0) writeSync(this.fd, this.buf, 0, this.pos);
    this.pos = 0;
  }

  /**
   * One Ethernet/IPv4/TCP frame.
   * @param {number} tsNs  packet time in nanoseconds after baseSec (an integer below 2^53)
   * @param {number} srcIp @param {number} dstIp  IPv4 addresses as unsigned 32-bit integers
   * @param {number} sport @param {number} dport
   * @param {number} seq @param {number} ack  32-bit sequence numbers (wrapped by the caller or here)
   * @param {number} flags TCP flag bits
   * @param {Buffer|null} payload  bytes copied into the frame (null = none)
   */
  tcp(tsNs, srcIp, dstIp, sport, dport, seq, ack, flags, payload) {
    const plen = payload ? payload.length : 0;
    const frame = HEADER_BYTES + plen;
    if (this.pos + 16 + frame > this.buf.length) this.flush();
    const b = this.buf;
    let o = this.pos;
    const sec = Math.floor(tsNs / 1e9);
    b.writeUInt32LE((this.baseSec + sec) >>> 0, o);
    b.writeUInt32LE(Math.floor(tsNs - sec * 1e9) >>> 0, o + 4);
    b.writeUInt32LE(frame, o + 8);
    b.writeUInt32LE(frame, o + 12);
    o += 16;
    // Ethernet: fixed locally administered MACs chosen by direction.
    b.writeUInt32BE(0x02000000, o); b.writeUInt16BE(dport === 8080 || dport === 80 ? 1 : 2, o + 4);
    b.writeUInt32BE(0x02000000, o + 6); b.writeUInt16BE(dport === 8080 || dport === 80 ? 2 : 1, o + 10);
    b.writeUInt16BE(0x0800, o + 12);
    o += 14;
    const ip = o;
    b[o] = 0x45; b[o + 1] = 0;
    b.writeUInt16BE(20 + 20 + plen, o + 2);
    b.writeUInt16BE(this.packets & 0xffff, o + 4);
    b.writeUInt16BE(0x4000, o + 6); // DF
    b[o + 8] = 64; b[o + 9] = 6;
    b.writeUInt16BE(0, o + 10);
    b.writeUInt32BE(srcIp >>> 0, o + 12);
    b.writeUInt32BE(dstIp >>> 0, o + 16);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += (b[ip + i] << 8) | b[ip + i + 1];
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    b.writeUInt16BE(~sum & 0xffff, ip + 10);
    o += 20;
    b.writeUInt16BE(sport, o); b.writeUInt16BE(dport, o + 2);
    b.writeUInt32BE(seq >>> 0, o + 4); b.writeUInt32BE(ack >>> 0, o + 8);
    b[o + 12] = 5 << 4; b[o + 13] = flags;
    b.writeUInt16BE(65535, o + 14);
    b.writeUInt16BE(0, o + 16); // checksum left zero, as with checksum offload
    b.writeUInt16BE(0, o + 18);
    o += 20;
    if (plen > 0) { payload.copy(b, o); o += plen; }
    this.pos = o;
    this.packets++;
    this.bytes += 16 + frame;
  }

  close() {
    this.flush();
    closeSync(this.fd);
  }
}
