/**
 * Network layer: IPv4 and IPv6 headers up to the start of the TCP header.
 *
 * On Ok the packet's addresses are written to `out` and the TCP segment's bytes are
 * [cur.l4Off, cur.l4End): the end is the IP length (so link-layer padding, such as Ethernet's
 * minimum-frame padding or NFLOG TLV padding, is never payload), or the captured end when fewer
 * bytes were captured than the IP length promises (snaplen cut: `cur.truncated` is set and the
 * decoder counts `decode.truncated`; the TCP payload is then partial and the reassembler sees the
 * missing tail as a gap). An IP length field of 0 (TSO/GSO-sized packets captured on the sending
 * host, IPv6 jumbograms) means "as long as the capture": `cur.lengthFromCapture` is set.
 *
 * Fragments: an IPv4 packet with MF set or a non-zero fragment offset, and an IPv6 packet with a
 * fragment header whose offset or M flag is non-zero, are TCP data we cannot use without IP
 * reassembly (not done): result Fragment. An IPv6 "atomic fragment" (offset 0, M=0, RFC 6946) is a
 * whole packet and is decoded normally. Fragments of other protocols (UDP, ICMP) are NotTcp.
 *
 * Header checksums are not verified: with checksum offload, packets captured on the sending host
 * carry wrong checksums, and the reference analyzers (Zeek, tshark) ignore them by default too.
 *
 * Never throws and reads only [off, end).
 */
import { DecodeResult, type DecodedPacket } from './types.js';
import { Malformed } from './reasons.js';
import type { DecodeCursor } from './cursor.js';

export const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMPV6 = 58;
const IPV6_HOP_BY_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_FRAGMENT = 44;
const IPV6_AH = 51;
const IPV6_DEST_OPTS = 60;

/** IPv6 extension headers followed before giving up (a real packet has a handful at most). */
export const MAX_EXT_HEADERS = 12;

function malformed(cur: DecodeCursor, reason: Malformed): DecodeResult {
  cur.reason = reason;
  return DecodeResult.Malformed;
}

/** Parses the IPv4 header at `off`; see the module comment for the result contract. */
export function parseIPv4(buf: Buffer, off: number, end: number, cur: DecodeCursor, out: DecodedPacket): DecodeResult {
  if (off + 20 > end) return malformed(cur, Malformed.TruncatedIpHeader);
  const versionIhl = buf[off];
  if (versionIhl >> 4 !== 4) return malformed(cur, Malformed.BadIpVersion);
  const headerLen = (versionIhl & 0x0f) << 2;
  if (headerLen < 20) return malformed(cur, Malformed.BadIhl);
  let totalLen = (buf[off + 2] << 8) | buf[off + 3];
  if (totalLen === 0) {
    cur.lengthFromCapture = true;
    totalLen = end - off;
  }
  if (totalLen < 20) return malformed(cur, Malformed.BadIpTotalLength);
  if (totalLen < headerLen) return malformed(cur, Malformed.BadIhl); // options longer than the packet
  if (off + headerLen > end) return malformed(cur, Malformed.TruncatedIpHeader);
  if (buf[off + 9] !== IPPROTO_TCP) return DecodeResult.NotTcp;
  // flags(3) + fragment offset(13): MF is 0x2000, the offset the low 13 bits; DF (0x4000) is fine
  if ((((buf[off + 6] << 8) | buf[off + 7]) & 0x3fff) !== 0) return DecodeResult.Fragment;
  let ipEnd = off + totalLen;
  if (ipEnd > end) {
    cur.truncated = true;
    ipEnd = end;
  }
  out.ipVersion = 4;
  out.addrLen = 4;
  out.srcAddrOff = off + 12;
  out.dstAddrOff = off + 16;
  cur.l4Off = off + headerLen;
  cur.l4End = ipEnd;
  return DecodeResult.Ok;
}

/** Parses the IPv6 header at `off` and walks its extension headers to TCP. */
export function parseIPv6(buf: Buffer, off: number, end: number, cur: DecodeCursor, out: DecodedPacket): DecodeResult {
  if (off + 40 > end) return malformed(cur, Malformed.TruncatedIpHeader);
  if (buf[off] >> 4 !== 6) return malformed(cur, Malformed.BadIpVersion);
  const payloadLen = (buf[off + 4] << 8) | buf[off + 5];
  let ipEnd: number;
  if (payloadLen === 0) {
    cur.lengthFromCapture = true;
    ipEnd = end;
  } else {
    ipEnd = off + 40 + payloadLen;
    if (ipEnd > end) {
      cur.truncated = true;
      ipEnd = end;
    }
  }
  let next = buf[off + 6];
  let o = off + 40;
  for (let headers = 0; ; headers++) {
    if (next === IPPROTO_TCP) break;
    let extLen: number;
    switch (next) {
      case IPV6_HOP_BY_HOP:
      case IPV6_ROUTING:
      case IPV6_DEST_OPTS:
        if (o + 8 > ipEnd) return malformed(cur, Malformed.TruncatedExtHeader);
        extLen = (buf[o + 1] + 1) << 3; // in 8-byte units, not counting the first 8
        break;
      case IPV6_AH:
        if (o + 8 > ipEnd) return malformed(cur, Malformed.TruncatedExtHeader);
        extLen = (buf[o + 1] + 2) << 2; // in 4-byte units, minus 2
        break;
      case IPV6_FRAGMENT: {
        if (o + 8 > ipEnd) return malformed(cur, Malformed.TruncatedExtHeader);
        const offsetAndM = ((buf[o + 2] << 8) | buf[o + 3]) & 0xfff9; // offset(13) res(2) M(1)
        if (offsetAndM !== 0) {
          const inner = buf[o];
          return inner === IPPROTO_UDP || inner === IPPROTO_ICMPV6 ? DecodeResult.NotTcp : DecodeResult.Fragment;
        }
        extLen = 8; // atomic fragment: the packet is whole, keep walking
        break;
      }
      default:
        // UDP, ICMPv6, ESP (cannot be read), No Next Header (59), anything else
        return DecodeResult.NotTcp;
    }
    if (headers >= MAX_EXT_HEADERS) return malformed(cur, Malformed.TooManyExtHeaders);
    if (o + extLen > ipEnd) return malformed(cur, Malformed.TruncatedExtHeader);
    next = buf[o];
    o += extLen;
  }
  out.ipVersion = 6;
  out.addrLen = 16;
  out.srcAddrOff = off + 8;
  out.dstAddrOff = off + 24;
  cur.l4Off = o;
  cur.l4End = ipEnd;
  return DecodeResult.Ok;
}
