/**
 * Transport layer: the TCP header of a segment whose bytes are [off, end) (end = the IP length,
 * already trimmed to the captured bytes by the IP layer). Options are skipped via the data offset,
 * not interpreted. Checksums are not verified (offload makes them unreliable on the sending host).
 * Never throws and reads only [off, end).
 */
import { DecodeResult, type DecodedPacket } from './types.js';
import { Malformed } from './reasons.js';
import type { DecodeCursor } from './cursor.js';

/** Fills ports, seq/ack (unsigned 32-bit), flags, window and the payload view of `out`. */
export function parseTcp(buf: Buffer, off: number, end: number, cur: DecodeCursor, out: DecodedPacket): DecodeResult {
  if (off + 20 > end) {
    cur.reason = Malformed.TruncatedTcpHeader;
    return DecodeResult.Malformed;
  }
  const headerLen = (buf[off + 12] >> 4) << 2;
  if (headerLen < 20) {
    cur.reason = Malformed.BadTcpDataOffset;
    return DecodeResult.Malformed;
  }
  if (off + headerLen > end) {
    // past the IP length the data offset is wrong; past only the capture, the options were cut
    cur.reason = cur.truncated ? Malformed.TruncatedTcpHeader : Malformed.BadTcpDataOffset;
    return DecodeResult.Malformed;
  }
  out.srcPort = (buf[off] << 8) | buf[off + 1];
  out.dstPort = (buf[off + 2] << 8) | buf[off + 3];
  out.seq = buf.readUInt32BE(off + 4);
  out.ack = buf.readUInt32BE(off + 8);
  out.flags = buf[off + 13];
  out.window = (buf[off + 14] << 8) | buf[off + 15];
  out.payloadOff = off + headerLen;
  out.payloadLen = end - off - headerLen;
  return DecodeResult.Ok;
}
