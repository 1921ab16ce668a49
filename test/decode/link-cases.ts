/**
 * One TCP segment (IPv4 and IPv6 variants) framed in every supported link type; shared by the
 * decoder test (link-types.test.ts) and the builder check against tshark (builder-vs-tshark.test.ts).
 */
import * as B from '../util/packet-builder.js';

export interface LinkCase {
  name: string;
  dlt: number;
  frame: Buffer;
  v: 4 | 6;
}

export const SRC4 = '192.168.1.10';
export const DST4 = '10.9.8.7';
export const SRC6 = '2001:db8::a';
export const DST6 = 'fe80::1:2';
export const SRC_PORT = 51234;
export const DST_PORT = 8080;
export const SEQ = 0xfffffff0;
export const ACK = 0x80000001;
export const PAYLOAD = Buffer.from('GET /x HTTP/1.1\r\nHost: a\r\n\r\n');
const seg = (): Buffer =>
  B.tcp({ srcPort: SRC_PORT, dstPort: DST_PORT, seq: SEQ, ack: ACK, flags: B.TCP_FLAGS.PSH | B.TCP_FLAGS.ACK, window: 502, payload: PAYLOAD });
export const v4 = (): Buffer => B.ipv4({ src: SRC4, dst: DST4, payload: seg() });
export const v6 = (): Buffer => B.ipv6({ src: SRC6, dst: DST6, payload: seg() });

const AF_INET = 2;
export const LINK_CASES: LinkCase[] = [
  { name: 'Ethernet IPv4', dlt: 1, frame: B.ethernet({ etherType: 0x0800, payload: v4() }), v: 4 },
  { name: 'Ethernet IPv6', dlt: 1, frame: B.ethernet({ etherType: 0x86dd, payload: v6() }), v: 6 },
  { name: 'Ethernet 802.1Q IPv4', dlt: 1, frame: B.ethernet({ etherType: 0x0800, tags: [B.vlan(42)], payload: v4() }), v: 4 },
  { name: 'Ethernet QinQ IPv6', dlt: 1, frame: B.ethernet({ etherType: 0x86dd, tags: B.qinq(100, 42), payload: v6() }), v: 6 },
  {
    name: 'Ethernet 0x9100 + 0x8100 IPv4',
    dlt: 1,
    frame: B.ethernet({ etherType: 0x0800, tags: [{ tpid: 0x9100, vid: 7 }, B.vlan(8)], payload: v4() }),
    v: 4,
  },
  { name: 'SLL IPv4', dlt: 113, frame: B.sll(0x0800, v4()), v: 4 },
  { name: 'SLL IPv6', dlt: 113, frame: B.sll(0x86dd, v6(), 4), v: 6 },
  { name: 'SLL with a VLAN tag', dlt: 113, frame: B.sll(0x8100, Buffer.concat([Buffer.from([0, 5, 0x08, 0x00]), v4()])), v: 4 },
  { name: 'SLL2 IPv4', dlt: 276, frame: B.sll2(0x0800, v4()), v: 4 },
  { name: 'SLL2 IPv6', dlt: 276, frame: B.sll2(0x86dd, v6()), v: 6 },
  { name: 'SLL2 with a VLAN tag', dlt: 276, frame: B.sll2(0x8100, Buffer.concat([Buffer.from([0, 5, 0x86, 0xdd]), v6()])), v: 6 },
  { name: 'NULL little-endian AF_INET', dlt: 0, frame: B.nullLoop(AF_INET, v4(), true), v: 4 },
  { name: 'NULL big-endian AF_INET', dlt: 0, frame: B.nullLoop(AF_INET, v4(), false), v: 4 },
  { name: 'NULL AF_INET6 (macOS 30)', dlt: 0, frame: B.nullLoop(30, v6(), true), v: 6 },
  { name: 'NULL AF_INET6 (FreeBSD 28, big-endian)', dlt: 0, frame: B.nullLoop(28, v6(), false), v: 6 },
  { name: 'NULL AF_INET6 (NetBSD/OpenBSD 24)', dlt: 0, frame: B.nullLoop(24, v6(), true), v: 6 },
  { name: 'LOOP AF_INET', dlt: 108, frame: B.loop(AF_INET, v4()), v: 4 },
  { name: 'LOOP AF_INET6', dlt: 108, frame: B.loop(24, v6()), v: 6 },
  { name: 'raw 12 IPv4', dlt: 12, frame: v4(), v: 4 },
  { name: 'raw 14 IPv6', dlt: 14, frame: v6(), v: 6 },
  { name: 'raw 101 IPv4', dlt: 101, frame: v4(), v: 4 },
  { name: 'raw 101 IPv6', dlt: 101, frame: v6(), v: 6 },
  { name: 'DLT_IPV4', dlt: 228, frame: v4(), v: 4 },
  { name: 'DLT_IPV6', dlt: 229, frame: v6(), v: 6 },
  { name: 'NFLOG IPv4', dlt: 239, frame: B.nflog(AF_INET, v4()), v: 4 },
  { name: 'NFLOG IPv6', dlt: 239, frame: B.nflog(10, v6()), v: 6 },
  { name: 'NFLOG AF_UNSPEC (version nibble)', dlt: 239, frame: B.nflog(0, v6()), v: 6 },
  {
    name: 'NFLOG with TLVs after the payload and an unaligned payload length',
    dlt: 239,
    frame: B.nflog(AF_INET, v4(), [{ type: 10, value: Buffer.from('abc') }], [{ type: 11, value: Buffer.from([1, 2, 3, 4]) }]),
    v: 4,
  },
];

