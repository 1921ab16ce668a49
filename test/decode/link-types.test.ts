/** Every supported link type carries the same IPv4 and IPv6 TCP segments to the same result. */
import t from 'tap';
import { decodeFrame, payloadText, DecodeResult } from './decode-harness.js';
import { formatAddress } from '../../src/decode/address.js';
import * as B from '../util/packet-builder.js';
import { LINK_CASES, PAYLOAD, v4, v6, SRC4, DST4, SRC6, DST6, SRC_PORT, DST_PORT, SEQ, ACK } from './link-cases.js';

const cases = LINK_CASES;
const seg = (): Buffer => B.tcp();

for (const c of cases) {
  t.test(c.name, async (t) => {
    const d = decodeFrame(c.dlt, c.frame);
    t.equal(d.result, DecodeResult.Ok);
    t.equal(d.pkt.malformedReason, '');
    t.equal(d.pkt.ipVersion, c.v);
    t.equal(d.pkt.addrLen, c.v === 4 ? 4 : 16);
    t.equal(formatAddress(d.pkt.buf, d.pkt.srcAddrOff, d.pkt.addrLen), c.v === 4 ? SRC4 : SRC6);
    t.equal(formatAddress(d.pkt.buf, d.pkt.dstAddrOff, d.pkt.addrLen), c.v === 4 ? DST4 : DST6);
    t.equal(d.pkt.srcPort, SRC_PORT);
    t.equal(d.pkt.dstPort, DST_PORT);
    t.equal(d.pkt.seq, SEQ, 'seq is unsigned');
    t.equal(d.pkt.ack, ACK, 'ack is unsigned');
    t.equal(d.pkt.flags, 0x18);
    t.equal(d.pkt.window, 502);
    t.equal(payloadText(d), PAYLOAD.toString('latin1'));
    t.equal(d.pkt.payloadOff + d.pkt.payloadLen, d.base + c.frame.length - trailerLen(c), 'payload ends where the IP packet ends');
    t.same(d.counters, { 'decode.ok': 1, 'decode.packets': 1 });
  });
}

/** Bytes after the IP packet in the frame: Ethernet minimum-size padding, NFLOG TLV padding/trailers. */
function trailerLen(c: { dlt: number; frame: Buffer; v: 4 | 6 }): number {
  const ipLen = (c.v === 4 ? v4() : v6()).length;
  const pos = c.frame.indexOf(c.v === 4 ? v4() : v6());
  return c.frame.length - pos - ipLen;
}

t.test('non-IP frames are NotTcp', async (t) => {
  const arp = Buffer.alloc(28, 1);
  for (const [name, dlt, frame] of [
    ['Ethernet ARP', 1, B.ethernet({ etherType: 0x0806, payload: arp })],
    ['Ethernet 802.3 length field (LLC)', 1, B.ethernet({ etherType: 46, payload: arp })],
    ['VLAN-tagged ARP', 1, B.ethernet({ etherType: 0x0806, tags: [B.vlan(3)], payload: arp })],
    ['SLL ARP', 113, B.sll(0x0806, arp)],
    ['SLL2 ARP', 276, B.sll2(0x0806, arp)],
    ['NULL AF_APPLETALK', 0, B.nullLoop(16, arp)],
    ['LOOP unknown family', 108, B.loop(99, arp)],
  ] as const) {
    const d = decodeFrame(dlt, frame);
    t.equal(d.result, DecodeResult.NotTcp, name);
    t.same(d.counters, { 'decode.not_tcp': 1, 'decode.packets': 1 }, name);
  }
  const udp = B.ipv4({ protocol: 17, payload: Buffer.alloc(16) });
  t.equal(decodeFrame(228, udp).result, DecodeResult.NotTcp, 'IPv4 UDP');
  t.equal(decodeFrame(229, B.ipv6({ nextHeader: 58, payload: Buffer.alloc(16) })).result, DecodeResult.NotTcp, 'ICMPv6');
  t.equal(decodeFrame(229, B.ipv6({ nextHeader: 59, payload: Buffer.alloc(0) })).result, DecodeResult.NotTcp, 'no next header');
});

t.test('unsupported link types are counted per DLT', async (t) => {
  const d = decodeFrame(147, B.ipv4({ payload: seg() }));
  t.equal(d.result, DecodeResult.UnsupportedLink);
  t.equal(d.counters['decode.unsupported_link.147'], 1);
  t.equal(d.decoder.unsupportedLink, 1);
  // the same decoder counts repeats under the same key
  const again = d.decoder.decode(147, d.pkt.buf, d.base, d.frame.length, d.pkt);
  t.equal(again, DecodeResult.UnsupportedLink);
  t.equal(d.decoder.unsupportedLink, 2);
});
