/**
 * Link layer: finds where the network (IP) header starts in one captured frame.
 *
 * Supported DLT / LINKTYPE values (tcpdump.org numbering; docs/capture.md, "Link types"):
 *   0   NULL (BSD loopback): 4-byte address family in the capturing host's byte order
 *   1   Ethernet, with any number (up to MAX_VLAN_TAGS) of 802.1Q / 802.1ad / QinQ (0x9100) tags
 *   9   PPP (RFC 1661): optional address/control 0xFF 0x03, then a 1- or 2-byte protocol field
 *   12, 14, 101  raw IP (version taken from the first nibble)
 *   50  PPP in HDLC-like framing (DLT_PPP_SERIAL): first byte 0xFF is PPP, 0x0F / 0x8F Cisco HDLC
 *   51  PPPoE session packets (RFC 2516 header, no Ethernet header)
 *   104 Cisco HDLC (RFC 1547 section 4.3.1): address 0x0F / 0x8F, control, 2-byte EtherType
 *   108 LOOP (OpenBSD loopback): 4-byte address family, big-endian
 *   113 Linux cooked v1 (SLL, 16-byte header)
 *   166 PPP from pppd: like 50 with a direction byte (0x00 in, 0x01 out) instead of the address
 *   204 PPP with a 1-byte direction prefix;  205 Cisco HDLC with a 1-byte direction prefix
 *   228 / 229  raw IPv4 / raw IPv6
 *   239 NFLOG (Linux netfilter log: 4-byte header, then 4-byte aligned TLVs, payload in TLV type 9)
 *   276 Linux cooked v2 (SLL2, 20-byte header)
 * Wherever an EtherType is read (Ethernet, SLL, SLL2, Cisco HDLC), PPPoE session frames (0x8864) and
 * MPLS label stacks (0x8847 / 0x8848, up to MAX_MPLS_LABELS labels) are followed to IP; PPP also
 * carries MPLS (protocols 0x0281 / 0x0283). Everything else that is well formed is NotIp.
 *
 * Contract: `parseLink` reads only bytes in [off, end), allocates nothing, and reports through the
 * reused `DecodeCursor`
 * (`netOff` on success, `reason` when malformed). It never throws for any input (callers guarantee 0 <= off <= end <= buf.length).
 */
import { Malformed } from './reasons.js';
import type { DecodeCursor } from './cursor.js';

export const DLT_NULL = 0;
export const DLT_EN10MB = 1;
export const DLT_PPP = 9;
export const DLT_RAW_12 = 12;
export const DLT_RAW_14 = 14;
export const DLT_PPP_SERIAL = 50; // LINKTYPE_PPP_HDLC
export const DLT_PPP_ETHER = 51;
export const DLT_RAW = 101;
export const DLT_C_HDLC = 104;
export const DLT_LOOP = 108;
export const DLT_LINUX_SLL = 113;
export const DLT_PPP_PPPD = 166;
export const DLT_PPP_WITH_DIR = 204;
export const DLT_C_HDLC_WITH_DIR = 205;
export const DLT_IPV4 = 228;
export const DLT_IPV6 = 229;
export const DLT_NFLOG = 239;
export const DLT_LINUX_SLL2 = 276;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_OLD = 0x9100;
export const ETHERTYPE_PPPOE_SESSION = 0x8864;
export const ETHERTYPE_MPLS = 0x8847;
export const ETHERTYPE_MPLS_MULTICAST = 0x8848;

/** PPP protocol field values (RFC 1661, IANA PPP DLL numbers): IPv4, IPv6, MPLS unicast / multicast. */
export const PPP_IPV4 = 0x0021, PPP_IPV6 = 0x0057, PPP_MPLS = 0x0281, PPP_MPLS_MULTICAST = 0x0283;
/** Address and control octets of PPP in HDLC-like framing (RFC 1662); Cisco HDLC addresses (RFC 1547). */
export const PPP_ADDRESS = 0xff, PPP_CONTROL = 0x03, CHDLC_UNICAST = 0x0f, CHDLC_MULTICAST = 0x8f;
/** PPPoE (RFC 2516): version 1 / type 1, the code of session data frames, header length. */
export const PPPOE_VER_TYPE = 0x11, PPPOE_CODE_SESSION = 0x00, PPPOE_HEADER_LEN = 6;

/** Stacked VLAN tags / MPLS labels followed before giving up (real networks use 1-2 / 1-4). */
export const MAX_VLAN_TAGS = 8;
export const MAX_MPLS_LABELS = 8;

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
    return etherPayload(etherType, buf, o + 2, end, cur);
  }
}

/** The payload at `payOff` of an EtherType other than a VLAN tag: IP, PPPoE session, MPLS, or not IP. */
function etherPayload(etherType: number, buf: Buffer, payOff: number, end: number, cur: DecodeCursor): NetProto {
  // the common cases first: one compare each
  if (etherType === ETHERTYPE_IPV4) {
    cur.netOff = payOff;
    return NetProto.IPv4;
  }
  if (etherType === ETHERTYPE_IPV6) {
    cur.netOff = payOff;
    return NetProto.IPv6;
  }
  if (etherType === ETHERTYPE_PPPOE_SESSION) return parsePppoe(buf, payOff, end, cur);
  if (etherType === ETHERTYPE_MPLS || etherType === ETHERTYPE_MPLS_MULTICAST) return parseMpls(buf, payOff, end, cur);
  return NetProto.NotIp;
}

/**
 * MPLS label stack at `off`: 4-byte entries (label 20 bits, TC 3, bottom-of-stack 1, TTL 8). The stack
 * does not name its payload; as in tshark, the first nibble after it does: 4 IPv4, 6 IPv6, anything
 * else (a pseudowire control word, an Ethernet pseudowire) is not IP.
 */
function parseMpls(buf: Buffer, off: number, end: number, cur: DecodeCursor): NetProto {
  let o = off;
  for (let labels = 0; labels < MAX_MPLS_LABELS; labels++) {
    if (o + 4 > end) return malformed(cur, Malformed.TruncatedLink);
    const bottom = buf[o + 2] & 1;
    o += 4;
    if (bottom !== 0) {
      if (o >= end) return malformed(cur, Malformed.TruncatedLink);
      const version = buf[o] >> 4;
      cur.netOff = o;
      if (version === 4) return NetProto.IPv4;
      if (version === 6) return NetProto.IPv6;
      return NetProto.NotIp;
    }
  }
  return malformed(cur, Malformed.TooManyMplsLabels);
}

/**
 * PPP protocol field at `off` (RFC 1661 section 2): one byte when its low bit is set (protocol field
 * compression), else two bytes; a two-byte value with an even low byte exists in no valid frame.
 */
function pppProtocol(buf: Buffer, off: number, end: number, cur: DecodeCursor): NetProto {
  if (off >= end) return malformed(cur, Malformed.TruncatedLink);
  let proto = buf[off];
  let o = off + 1;
  if ((proto & 1) === 0) {
    if (o >= end) return malformed(cur, Malformed.TruncatedLink);
    proto = (proto << 8) | buf[o];
    if ((proto & 1) === 0) return malformed(cur, Malformed.BadLinkHeader);
    o++;
  }
  cur.netOff = o;
  if (proto === PPP_IPV4) return NetProto.IPv4;
  if (proto === PPP_IPV6) return NetProto.IPv6;
  if (proto === PPP_MPLS || proto === PPP_MPLS_MULTICAST) return parseMpls(buf, o, end, cur);
  return NetProto.NotIp; // LCP, IPCP, CHAP, compressed datagrams, ...
}

/**
 * A PPP frame at `off`: address 0xFF and control 0x03 (RFC 1662), or neither (address-and-control-field
 * compression). A leading 0xFF is always the address: protocol 0x00FF is reserved, so never compressed.
 */
function parsePpp(buf: Buffer, off: number, end: number, cur: DecodeCursor): NetProto {
  if (off >= end || buf[off] !== PPP_ADDRESS) return pppProtocol(buf, off, end, cur);
  if (off + 1 >= end) return malformed(cur, Malformed.TruncatedLink);
  if (buf[off + 1] !== PPP_CONTROL) return malformed(cur, Malformed.BadLinkHeader);
  return pppProtocol(buf, off + 2, end, cur);
}

/** Cisco HDLC at `off`: address (0x0F unicast, 0x8F multicast), control, EtherType. SLARP (0x8035) is not IP. */
function parseChdlc(buf: Buffer, off: number, end: number, cur: DecodeCursor): NetProto {
  if (off + 4 > end) return malformed(cur, Malformed.TruncatedLink);
  const address = buf[off];
  if (address !== CHDLC_UNICAST && address !== CHDLC_MULTICAST) return malformed(cur, Malformed.BadLinkHeader);
  return etherPayload((buf[off + 2] << 8) | buf[off + 3], buf, off + 4, end, cur);
}

/**
 * PPPoE header at `off` (RFC 2516 section 4): version/type 0x11, code, session ID, length, then the PPP
 * protocol field (no address/control: section 7). The IP length, not the PPPoE length, bounds the packet.
 */
function parsePppoe(buf: Buffer, off: number, end: number, cur: DecodeCursor): NetProto {
  if (off + PPPOE_HEADER_LEN > end) return malformed(cur, Malformed.TruncatedLink);
  if (buf[off] !== PPPOE_VER_TYPE) return malformed(cur, Malformed.BadLinkHeader);
  if (buf[off + 1] !== PPPOE_CODE_SESSION) return NetProto.NotIp; // a discovery packet under the session EtherType
  return pppProtocol(buf, off + PPPOE_HEADER_LEN, end, cur);
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
      return etherPayload(proto, buf, off + 20, end, cur);
    }
    case DLT_C_HDLC:
      return parseChdlc(buf, off, end, cur);
    case DLT_PPP:
      return parsePpp(buf, off, end, cur);
    case DLT_PPP_SERIAL: {
      if (off >= end) return malformed(cur, Malformed.TruncatedLink);
      const first = buf[off];
      if (first === CHDLC_UNICAST || first === CHDLC_MULTICAST) return parseChdlc(buf, off, end, cur);
      return parsePpp(buf, off, end, cur);
    }
    case DLT_PPP_ETHER:
      return parsePppoe(buf, off, end, cur);
    case DLT_PPP_PPPD:
      // direction(1) control(1), then the protocol field
      if (off + 2 > end) return malformed(cur, Malformed.TruncatedLink);
      return pppProtocol(buf, off + 2, end, cur);
    case DLT_PPP_WITH_DIR: // direction(1), then a PPP frame; both parsers bound-check from off + 1
      return parsePpp(buf, off + 1, end, cur);
    case DLT_C_HDLC_WITH_DIR:
      return parseChdlc(buf, off + 1, end, cur);
    case DLT_NFLOG:
      return parseNflog(buf, off, end, cur);
    default:
      return NetProto.Unsupported;
  }
}
