/**
 * Link layer: finds where the network (IP) header starts in one captured frame.
 *
 * Supported DLT / LINKTYPE values:
 *   0   NULL (BSD loopback): 4-byte address family in the capturing host's byte order
 *   1   Ethernet, with any number (up to MAX_VLAN_TAGS) of 802.1Q / 802.1ad / QinQ (0x9100) tags
 *   12, 14, 101  raw IP (version taken from the first nibble)
 *   108 LOOP (OpenBSD loopback): 4-byte address family, big-endian
 *   113 Linux cooked v1 (SLL, 16-byte header)
 *   228 / 229  raw IPv4 / raw IPv6
 *   239 NFLOG (Linux netfilter log: 4-byte header, then 4-byte aligned TLVs, payload in TLV type 9)
 *   276 Linux cooked v2 (SLL2, 20-byte header)
 *
 * Contract: `parseLink` reads only bytes in [off, end), allocates nothing, and reports through the
 * reused `DecodeCursor`
 * (`netOff` on success, `reason` when malformed). It never throws for any input (callers guarantee 0 <= off <= end <= buf.length).
 */
import { Malformed } from './reasons.js';
import type { DecodeCursor } from './cursor.js';

export const DLT_NULL = 0;
export const DLT_EN10MB = 1;
export const DLT_RAW_12 = 12;
export const DLT_RAW_14 = 14;
export const DLT_RAW = 101;
export const DLT_LOOP = 108;
export const DLT_LINUX_SLL = 113;
export const DLT_IPV4 = 228;
export const DLT_IPV6 = 229;
export const DLT_NFLOG = 239;
export const DLT_LINUX_SLL2 = 276;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_OLD = 0x9100;

/** Stacked VLAN tags followed before giving up (real networks use 1-2). */
export const MAX_VLAN_TAGS = 8;

/** NFLOG TLV type carrying the logged packet (NFULA_PAYLOAD). */
export const NFULA_PAYLOAD = 9;

/** What `parseLink` found: the network protocol of the bytes at `netOff`. */
export const enum NetProto {
  /** Raw IP: the version nibble decides between IPv4 and IPv6. */
  ByVersion = 0,
  IPv4 = 4,
  IPv6 = 6,
  /** A supported frame carrying something other than IP (ARP, LLC, ...). */
  NotIp = 1,
  /** Malformed frame; the reason is in `cursor.reason`. */
  Malformed = 2,
  /** Unknown link type. */
  Unsupported = 3,
}


/** Address families seen in DLT_NULL / DLT_LOOP headers across the BSDs, macOS and Linux. */
function familyToProto(family: number): NetProto {
  switch (family) {
    case 2: // AF_INET everywhere
      return NetProto.IPv4;
    case 10: // Linux AF_INET6
    case 24: // NetBSD, OpenBSD, BSD/OS AF_INET6
    case 28: // FreeBSD, DragonFly AF_INET6
    case 30: // macOS AF_INET6
      return NetProto.IPv6;
    default:
      return NetProto.NotIp;
  }
}

function etherTypeToProto(etherType: number): NetProto {
  if (etherType === ETHERTYPE_IPV4) return NetProto.IPv4;
  if (etherType === ETHERTYPE_IPV6) return NetProto.IPv6;
  return NetProto.NotIp;
}

function malformed(cur: DecodeCursor, reason: Malformed): NetProto {
  cur.reason = reason;
  return NetProto.Malformed;
}

/**
 * Follows an EtherType at `typeOff` (2 bytes) through VLAN tags; the payload starts at typeOff + 2.
 * Shared by Ethernet and both Linux cooked headers (which may carry tags when not stripped).
 */
function parseEtherType(buf: Buffer, typeOff: number, end: number, cur: DecodeCursor): NetProto {
  let o = typeOff;
  for (let tags = 0; ; tags++) {
    if (o + 2 > end) return malformed(cur, Malformed.TruncatedLink);
    const etherType = (buf[o] << 8) | buf[o + 1];
    if (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ || etherType === ETHERTYPE_QINQ_OLD) {
      if (tags >= MAX_VLAN_TAGS) return malformed(cur, Malformed.TooManyVlanTags);
      o += 4; // skip TPID + TCI; the next EtherType follows the TCI
      continue;
    }
    cur.netOff = o + 2;
    return etherTypeToProto(etherType);
  }
}

/** NFLOG: walks the TLVs after the 4-byte header to the payload TLV. TLV lengths are host (little) endian. */
function parseNflog(buf: Buffer, off: number, end: number, cur: DecodeCursor): NetProto {
  if (off + 4 > end) return malformed(cur, Malformed.TruncatedLink);
  const family = buf[off];
  let o = off + 4;
  while (o + 4 <= end) {
    const tlvLen = buf[o] | (buf[o + 1] << 8);
    const tlvType = (buf[o + 2] | (buf[o + 3] << 8)) & 0x3fff; // strip NLA_F_NESTED / NLA_F_NET_BYTEORDER
    if (tlvLen < 4 || o + tlvLen > end) return malformed(cur, Malformed.BadNflogTlv);
    if (tlvType === NFULA_PAYLOAD) {
      cur.netOff = o + 4;
      // the payload TLV may be followed by padding: the IP total length trims it later
      if (family === 2) return NetProto.IPv4;
      if (family === 10) return NetProto.IPv6;
      return NetProto.ByVersion;
    }
    o += (tlvLen + 3) & ~3;
  }
  return malformed(cur, Malformed.NflogNoPayload);
}

/** Finds the network header of one frame at [off, end) of link type `linkType`. */
export function parseLink(linkType: number, buf: Buffer, off: number, end: number, cur: DecodeCursor): NetProto {
  switch (linkType) {
    case DLT_EN10MB:
      if (off + 14 > end) return malformed(cur, Malformed.TruncatedLink);
      return parseEtherType(buf, off + 12, end, cur);
    case DLT_RAW:
    case DLT_RAW_12:
    case DLT_RAW_14:
      cur.netOff = off;
      return NetProto.ByVersion;
    case DLT_IPV4:
      cur.netOff = off;
      return NetProto.IPv4;
    case DLT_IPV6:
      cur.netOff = off;
      return NetProto.IPv6;
    case DLT_NULL: {
      if (off + 4 > end) return malformed(cur, Malformed.TruncatedLink);
      // host byte order of the capturing machine: families are small, so a value with
      // its high 16 bits set was written by a host of the other byte order
      let family = buf.readUInt32LE(off);
      if (family > 0xffff) family = buf.readUInt32BE(off);
      cur.netOff = off + 4;
      return familyToProto(family);
    }
    case DLT_LOOP:
      if (off + 4 > end) return malformed(cur, Malformed.TruncatedLink);
      cur.netOff = off + 4;
      return familyToProto(buf.readUInt32BE(off));
    case DLT_LINUX_SLL:
      // packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2)
      if (off + 16 > end) return malformed(cur, Malformed.TruncatedLink);
      return parseEtherType(buf, off + 14, end, cur);
    case DLT_LINUX_SLL2: {
      // protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) addr len(1) addr(8)
      if (off + 20 > end) return malformed(cur, Malformed.TruncatedLink);
      const proto = (buf[off] << 8) | buf[off + 1];
      if (proto === ETHERTYPE_VLAN || proto === ETHERTYPE_QINQ || proto === ETHERTYPE_QINQ_OLD) {
        // tag bytes follow the 20-byte header: TCI(2) then the next EtherType
        return parseEtherType(buf, off + 22, end, cur);
      }
      cur.netOff = off + 20;
      return etherTypeToProto(proto);
    }
    case DLT_NFLOG:
      return parseNflog(buf, off, end, cur);
    default:
      return NetProto.Unsupported;
  }
}
