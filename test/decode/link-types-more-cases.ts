/**
 * Frames of the serial and tunnel link types (Cisco HDLC, PPP and its variants, PPPoE, MPLS) shared by
 * link-types-more.test.ts: the same TCP segment as link-cases.ts in each framing, frames that are well
 * formed but carry no IP, and frames whose link header is malformed.
 */
import * as B from '../util/packet-builder.js';
import { chdlc, slarpKeepalive, ppp, lcpEchoRequest, pppoe, pppProtocolField, mplsStack } from '../../fixtures/links/relink.js';
import { v4, v6, type LinkCase } from './link-cases.js';

const PPP_V4 = 0x0021;
const PPP_V6 = 0x0057;
const u16 = (v: number): Buffer => Buffer.from([v >> 8, v & 0xff]);
const withDir = (dir: number, frame: Buffer): Buffer => Buffer.concat([Buffer.from([dir]), frame]);
/** LINKTYPE_PPP_PPPD: direction (0x00 received, 0x01 sent) in place of the address, control 0x03, protocol. */
const pppd = (dir: number, protocol: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from([dir, 0x03]), u16(protocol), payload]);
const sessionFrame = (protocol: number, payload: Buffer, pfc = false): Buffer => pppoe(0x1234, Buffer.concat([pppProtocolField(protocol, pfc), payload]));

/** The TCP segment of link-cases.ts in every new framing; `header` is the link header's length. */
export const MORE_CASES: (LinkCase & { header: number })[] = [];
function add(name: string, dlt: number, v: 4 | 6, frame: Buffer): void {
  MORE_CASES.push({ name, dlt, v, frame, header: frame.indexOf(v === 4 ? v4() : v6()) });
}
add('Cisco HDLC IPv4', 104, 4, chdlc(0x0800, v4()));
add('Cisco HDLC IPv6, multicast address', 104, 6, chdlc(0x86dd, v6(), 0x8f));
add('Cisco HDLC carrying MPLS', 104, 4, chdlc(0x8847, mplsStack([100], v4())));
add('PPP IPv4', 9, 4, ppp(PPP_V4, v4()));
add('PPP IPv6', 9, 6, ppp(PPP_V6, v6()));
add('PPP without address and control', 9, 4, ppp(PPP_V4, v4(), { acfc: true }));
add('PPP with a 1-byte protocol', 9, 6, ppp(PPP_V6, v6(), { pfc: true }));
add('PPP with both compressions', 9, 4, ppp(PPP_V4, v4(), { acfc: true, pfc: true }));
add('PPP carrying MPLS', 9, 6, ppp(0x0281, mplsStack([17, 18], v6())));
add('PPP_HDLC (PPP_SERIAL) PPP IPv4', 50, 4, ppp(PPP_V4, v4()));
add('PPP_HDLC (PPP_SERIAL) Cisco HDLC IPv6', 50, 6, chdlc(0x86dd, v6()));
add('PPP_HDLC (PPP_SERIAL) Cisco HDLC multicast IPv4', 50, 4, chdlc(0x0800, v4(), 0x8f));
add('PPPoE IPv4', 51, 4, sessionFrame(PPP_V4, v4()));
add('PPPoE IPv6 with a 1-byte protocol', 51, 6, sessionFrame(PPP_V6, v6(), true));
add('Ethernet PPPoE session IPv4', 1, 4, B.ethernet({ etherType: 0x8864, payload: sessionFrame(PPP_V4, v4()) }));
add('Ethernet 802.1Q + PPPoE session IPv6', 1, 6, B.ethernet({ etherType: 0x8864, tags: [B.vlan(7)], payload: sessionFrame(PPP_V6, v6()) }));
add('Ethernet MPLS one label IPv4', 1, 4, B.ethernet({ etherType: 0x8847, payload: mplsStack([16], v4()) }));
add('Ethernet MPLS three labels IPv6', 1, 6, B.ethernet({ etherType: 0x8847, payload: mplsStack([16, 17, 1_048_575], v6()) }));
add('Ethernet MPLS multicast IPv4', 1, 4, B.ethernet({ etherType: 0x8848, payload: mplsStack([20], v4()) }));
add('Ethernet QinQ + MPLS eight labels IPv4', 1, 4, B.ethernet({ etherType: 0x8847, tags: B.qinq(5, 6), payload: mplsStack([1, 2, 3, 4, 5, 6, 7, 8], v4()) }));
add('SLL PPPoE session IPv4', 113, 4, B.sll(0x8864, sessionFrame(PPP_V4, v4())));
add('SLL2 MPLS IPv6', 276, 6, B.sll2(0x8847, mplsStack([300], v6())));
add('PPP_PPPD received IPv4', 166, 4, pppd(0x00, PPP_V4, v4()));
add('PPP_PPPD sent IPv6', 166, 6, pppd(0x01, PPP_V6, v6()));
add('PPP_WITH_DIR IPv4', 204, 4, withDir(0, ppp(PPP_V4, v4())));
add('PPP_WITH_DIR compressed IPv6', 204, 6, withDir(1, ppp(PPP_V6, v6(), { acfc: true, pfc: true })));
add('C_HDLC_WITH_DIR IPv6', 205, 6, withDir(1, chdlc(0x86dd, v6())));

const lcp = lcpEchoRequest(3);
/** Well-formed frames that carry no IP: NotTcp, like ARP on Ethernet. */
export const NOT_IP: [string, number, Buffer][] = [
  ['Cisco SLARP keepalive', 104, slarpKeepalive(7)],
  ['Cisco CDP', 104, chdlc(0x2000, Buffer.alloc(20, 1), 0x8f)],
  ['PPP_HDLC Cisco SLARP keepalive', 50, slarpKeepalive(8)],
  ['PPP LCP echo request', 9, lcp],
  ['PPP IPCP', 9, ppp(0x8021, Buffer.from([1, 1, 0, 4]))],
  ['PPP compressed datagram, 1-byte protocol 0xFD', 9, ppp(0x00fd, Buffer.alloc(12, 3), { acfc: true, pfc: true })],
  ['PPP_HDLC LCP', 50, lcp],
  ['PPPoE LCP', 51, pppoe(0x1234, lcp.subarray(2))],
  ['PPPoE discovery code (PADT) in a session frame', 51, pppoe(0x1234, Buffer.alloc(4), 0xa7)],
  ['Ethernet PPPoE discovery (0x8863)', 1, B.ethernet({ etherType: 0x8863, payload: pppoe(0, Buffer.alloc(4), 0x09) })],
  ['Ethernet PPPoE session LCP', 1, B.ethernet({ etherType: 0x8864, payload: pppoe(0x1234, lcp.subarray(2)) })],
  ['Ethernet MPLS pseudowire with a control word', 1, B.ethernet({ etherType: 0x8847, payload: mplsStack([16, 24_001], Buffer.concat([Buffer.alloc(4), B.ethernet({ etherType: 0x0806, payload: Buffer.alloc(28) })])) })],
  ['PPP_PPPD LCP', 166, Buffer.concat([Buffer.from([0x01]), lcp.subarray(1)])],
  ['PPP_WITH_DIR LCP', 204, withDir(0, lcp)],
  ['C_HDLC_WITH_DIR SLARP', 205, withDir(0, slarpKeepalive(9))],
];

/** Frames whose link header no valid frame has. */
export const BAD_HEADERS: [string, number, Buffer, string][] = [
  ['Cisco HDLC address 0x00', 104, chdlc(0x0800, v4(), 0x00), 'bad_link_header'],
  ['Cisco HDLC address 0xFF', 104, chdlc(0x0800, v4(), 0xff), 'bad_link_header'],
  ['C_HDLC_WITH_DIR address 0x03', 205, withDir(0, chdlc(0x86dd, v6(), 0x03)), 'bad_link_header'],
  ['PPP address 0xFF without control 0x03', 9, Buffer.concat([Buffer.from([0xff, 0x00]), u16(PPP_V4), v4()]), 'bad_link_header'],
  ['PPP protocol with an even low byte', 9, ppp(0x0020, v4()), 'bad_link_header'],
  ['PPP_HDLC neither PPP nor Cisco and an even protocol', 50, Buffer.concat([u16(0x0000), v4()]), 'bad_link_header'],
  ['PPPoE version/type 0x12', 51, pppoe(1, Buffer.concat([u16(PPP_V4), v4()]), 0, 0x12), 'bad_link_header'],
  ['Ethernet PPPoE version/type 0x21', 1, B.ethernet({ etherType: 0x8864, payload: pppoe(1, Buffer.concat([u16(PPP_V4), v4()]), 0, 0x21) }), 'bad_link_header'],
  ['PPP_PPPD protocol 0x0000', 166, pppd(0, 0x0000, v4()), 'bad_link_header'],
  [
    'Ethernet MPLS nine labels without bottom of stack',
    1,
    B.ethernet({ etherType: 0x8847, payload: Buffer.concat([...Array.from({ length: 9 }, () => Buffer.from([0, 1, 0, 64])), v4()]) }),
    'too_many_mpls_labels',
  ],
  ['Ethernet MPLS nine labels, bottom on the ninth', 1, B.ethernet({ etherType: 0x8847, payload: mplsStack([1, 2, 3, 4, 5, 6, 7, 8, 9], v4()) }), 'too_many_mpls_labels'],
  ['Ethernet MPLS stack with nothing after it', 1, B.ethernet({ etherType: 0x8847, payload: mplsStack([1, 2], Buffer.alloc(0)), pad: false }), 'truncated_link'],
];
