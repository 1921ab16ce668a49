/**
 * Test helper: builds frames byte by byte from the protocol specifications, independently of the
 * decoder, so decoder tests can state what a frame holds. Every builder returns a new Buffer.
 * Layers nest: tcp() -> ipv4()/ipv6() -> ethernet()/sll()/sll2()/nullLoop()/loop()/nflog() (raw IP
 * link types take the IP packet as is). Overrides exist to build malformed packets on purpose.
 */

/** TCP flag bits (header byte 13), shared by every tool that builds or reads segments. */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_FLAGS = { FIN: TCP_FIN, SYN: TCP_SYN, RST: TCP_RST, PSH: TCP_PSH, ACK: TCP_ACK, URG: TCP_URG } as const;

export interface TcpSpec {
  srcPort?: number;
  dstPort?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  /** Raw option bytes, zero-padded (End of Option List) to a multiple of 4. */
  options?: Buffer;
  payload?: Buffer;
  /** Data offset field (4-byte units) written instead of the real one. */
  dataOffsetOverride?: number;
}

/** A TCP header (checksum left 0: the decoder does not verify it) plus payload. */
export function tcp(spec: TcpSpec = {}): Buffer {
  const opts = padTo4(spec.options ?? Buffer.alloc(0));
  const payload = spec.payload ?? Buffer.alloc(0);
  const h = Buffer.alloc(20 + opts.length);
  h.writeUInt16BE(spec.srcPort ?? 40000, 0);
  h.writeUInt16BE(spec.dstPort ?? 80, 2);
  h.writeUInt32BE((spec.seq ?? 1000) >>> 0, 4);
  h.writeUInt32BE((spec.ack ?? 0) >>> 0, 8);
  h[12] = (spec.dataOffsetOverride ?? h.length / 4) << 4;
  h[13] = spec.flags ?? TCP_FLAGS.ACK;
  h.writeUInt16BE(spec.window ?? 65535, 14);
  opts.copy(h, 20);
  return Buffer.concat([h, payload]);
}

/** TCP options MSS(1460), SACK-permitted, timestamps and window scale: a typical SYN's 20 bytes. */
export function typicalSynOptions(): Buffer {
  return Buffer.from([2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7]);
}

export interface Ipv4Spec {
  src?: string;
  dst?: string;
  protocol?: number;
  payload: Buffer;
  /** Raw option bytes, zero-padded to a multiple of 4. */
  options?: Buffer;
  id?: number;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** Fragment offset in bytes (must be a multiple of 8). */
  fragmentOffset?: number;
  ttl?: number;
  totalLengthOverride?: number;
  ihlOverride?: number;
  versionOverride?: number;
}

export function ipv4(spec: Ipv4Spec): Buffer {
  const opts = padTo4(spec.options ?? Buffer.alloc(0));
  const h = Buffer.alloc(20 + opts.length);
  h[0] = ((spec.versionOverride ?? 4) << 4) | (spec.ihlOverride ?? h.length / 4);
  h.writeUInt16BE(spec.totalLengthOverride ?? h.length + spec.payload.length, 2);
  h.writeUInt16BE(spec.id ?? 1, 4);
  const flags = (spec.dontFragment ? 0x4000 : 0) | (spec.moreFragments ? 0x2000 : 0);
  h.writeUInt16BE(flags | ((spec.fragmentOffset ?? 0) >> 3), 6);
  h[8] = spec.ttl ?? 64;
  h[9] = spec.protocol ?? 6;
  ipv4Bytes(spec.src ?? '10.0.0.1').copy(h, 12);
  ipv4Bytes(spec.dst ?? '10.0.0.2').copy(h, 16);
  opts.copy(h, 20);
  h.writeUInt16BE(internetChecksum(h), 10);
  return Buffer.concat([h, spec.payload]);
}

/** IPv6 extension headers, innermost last. */
export type Ipv6Ext =
  | { type: 'hopByHop' | 'destOpts' | 'routing'; /** total length in bytes, multiple of 8, >= 8 */ length?: number }
  | { type: 'fragment'; offset?: number; more?: boolean; id?: number }
  | { type: 'ah'; /** total length in bytes, multiple of 4, >= 12 */ length?: number };

const EXT_CODE = { hopByHop: 0, routing: 43, fragment: 44, ah: 51, destOpts: 60 } as const;

export interface Ipv6Spec {
  src?: string;
  dst?: string;
  /** Upper-layer protocol after the extension headers. */
  nextHeader?: number;
  extHeaders?: Ipv6Ext[];
  payload: Buffer;
  payloadLengthOverride?: number;
}

export function ipv6(spec: Ipv6Spec): Buffer {
  const exts = spec.extHeaders ?? [];
  const parts: Buffer[] = [];
  for (let i = 0; i < exts.length; i++) {
    const e = exts[i];
    const next = i + 1 < exts.length ? EXT_CODE[exts[i + 1].type] : (spec.nextHeader ?? 6);
    let b: Buffer;
    if (e.type === 'fragment') {
      b = Buffer.alloc(8);
      b.writeUInt16BE(((e.offset ?? 0) & 0xfff8) | (e.more ? 1 : 0), 2);
      b.writeUInt32BE(e.id ?? 0x1234, 4);
    } else if (e.type === 'ah') {
      const len = e.length ?? 24;
      b = Buffer.alloc(len);
      b[1] = len / 4 - 2;
    } else {
      const len = e.length ?? 8;
      b = Buffer.alloc(len);
      b[1] = len / 8 - 1;
      // options headers: zero bytes are Pad1 options; routing: type 0, segments left 0
    }
    b[0] = next;
    parts.push(b);
  }
  const body = Buffer.concat([...parts, spec.payload]);
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(spec.payloadLengthOverride ?? body.length, 4);
  h[6] = exts.length > 0 ? EXT_CODE[exts[0].type] : (spec.nextHeader ?? 6);
  h[7] = 64;
  ipv6Bytes(spec.src ?? '2001:db8::1').copy(h, 8);
  ipv6Bytes(spec.dst ?? '2001:db8::2').copy(h, 24);
  return Buffer.concat([h, body]);
}

export interface EthernetSpec {
  etherType: number;
  payload: Buffer;
  /** 802.1Q tags, outermost first: each a TPID (0x8100, 0x88a8, 0x9100) and a VLAN id. */
  tags?: { tpid: number; vid: number }[];
  /** Pad the frame to the 60-byte minimum (without FCS) as a NIC does. Default true. */
  pad?: boolean;
  padByte?: number;
}

export function ethernet(spec: EthernetSpec): Buffer {
  const head = Buffer.from([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01]);
  const tagBytes = (spec.tags ?? []).map((t) => u16pair(t.tpid, t.vid & 0x0fff));
  const frame = Buffer.concat([head, ...tagBytes, u16(spec.etherType), spec.payload]);
  if ((spec.pad ?? true) && frame.length < 60) {
    return Buffer.concat([frame, Buffer.alloc(60 - frame.length, spec.padByte ?? 0)]);
  }
  return frame;
}

/** 802.1Q single tag. */
export function vlan(vid: number): { tpid: number; vid: number } {
  return { tpid: 0x8100, vid };
}
/** QinQ: an 802.1ad service tag around an 802.1Q customer tag. */
export function qinq(outer: number, inner: number): { tpid: number; vid: number }[] {
  return [{ tpid: 0x88a8, vid: outer }, { tpid: 0x8100, vid: inner }];
}

/** Linux cooked v1 (DLT 113): packet type, ARPHRD_ETHER, 6-byte address, protocol. */
export function sll(protocol: number, payload: Buffer, packetType = 0): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(packetType, 0);
  h.writeUInt16BE(1, 2); // ARPHRD_ETHER
  h.writeUInt16BE(6, 4);
  Buffer.from([2, 0, 0, 0, 0, 1]).copy(h, 6);
  h.writeUInt16BE(protocol, 14);
  return Buffer.concat([h, payload]);
}

/** Linux cooked v2 (DLT 276): protocol, reserved, ifindex, ARPHRD, packet type, address. */
export function sll2(protocol: number, payload: Buffer, ifIndex = 2): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(protocol, 0);
  h.writeUInt32BE(ifIndex, 4);
  h.writeUInt16BE(1, 8);
  h[10] = 0;
  h[11] = 6;
  Buffer.from([2, 0, 0, 0, 0, 1]).copy(h, 12);
  return Buffer.concat([h, payload]);
}

/** BSD NULL (DLT 0): address family in the capturing host's byte order. */
export function nullLoop(family: number, payload: Buffer, littleEndian = true): Buffer {
  const h = Buffer.alloc(4);
  if (littleEndian) h.writeUInt32LE(family, 0);
  else h.writeUInt32BE(family, 0);
  return Buffer.concat([h, payload]);
}

/** OpenBSD LOOP (DLT 108): address family, big-endian. */
export function loop(family: number, payload: Buffer): Buffer {
  return nullLoop(family, payload, false);
}

export interface NflogTlv {
  type: number;
  value: Buffer;
}

/**
 * NFLOG (DLT 239): family, version 0, resource id (big-endian), then TLVs: length (little-endian,
 * header included, padding excluded), type (little-endian), value, zero padding to 4 bytes.
 * `before` TLVs precede the payload TLV (type 9); `after` follow it.
 */
export function nflog(family: number, payload: Buffer, before: NflogTlv[] = defaultNflogTlvs(), after: NflogTlv[] = []): Buffer {
  const h = Buffer.from([family, 0, 0, 1]);
  const tlvs = [...before, { type: 9, value: payload }, ...after].map(nflogTlv);
  return Buffer.concat([h, ...tlvs]);
}

export function nflogTlv(t: NflogTlv): Buffer {
  const len = 4 + t.value.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt16LE(len, 0);
  b.writeUInt16LE(t.type, 2);
  t.value.copy(b, 4);
  return b;
}

function defaultNflogTlvs(): NflogTlv[] {
  return [
    { type: 1, value: Buffer.from([0x08, 0x00, 3, 0]) }, // packet header: hw protocol, hook
    { type: 10, value: Buffer.from('test-prefix\0') }, // prefix: 12 bytes
    { type: 4, value: Buffer.from([0, 0, 0, 2]) }, // ifindex in
  ];
}

// ---- byte helpers ------------------------------------------------------------------------------

export function ipv4Bytes(a: string): Buffer {
  return Buffer.from(a.split('.').map((x) => Number(x)));
}

/** Parses full or "::"-compressed IPv6 text (no embedded IPv4). */
export function ipv6Bytes(a: string): Buffer {
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v, 0);
  return b;
}

function u16pair(a: number, b: number): Buffer {
  return Buffer.concat([u16(a), u16(b)]);
}

function padTo4(b: Buffer): Buffer {
  const rem = b.length % 4;
  return rem === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - rem)]);
}

// ---- checksums (RFC 1071) ---------------------------------------------------------------------

/** Adds the big-endian 16-bit words of d[start, end) to acc (an odd last byte is padded with zero). */
export function onesComplementSum(d: Buffer, start: number, end: number, acc = 0): number {
  let s = acc;
  let i = start;
  for (; i + 1 < end; i += 2) s += (d[i] << 8) | d[i + 1];
  if (i < end) s += d[i] << 8;
  return s;
}

/** Folds a sum from onesComplementSum to 16 bits and complements it: the checksum field's value. */
export function foldChecksum(sum: number): number {
  let x = sum;
  while (x > 0xffff) x = (x & 0xffff) + Math.floor(x / 0x10000);
  return ~x & 0xffff;
}

/** The Internet checksum of d[start, end) (an IPv4 header: its checksum field must be zero). */
export function internetChecksum(d: Buffer, start = 0, end = d.length): number {
  return foldChecksum(onesComplementSum(d, start, end));
}
