/** Each kind of malformed packet gives Malformed, names its reason and is counted under it. */
import t from 'tap';
import { decodeFrame, DecodeResult } from './decode-harness.js';
import { PacketDecoder } from '../../src/decode/packet-decoder.js';
import { DecodedPacket } from '../../src/decode/types.js';
import { Counters } from '../../src/util/counters.js';
import * as B from '../util/packet-builder.js';

const seg = (): Buffer => B.tcp({ payload: Buffer.from('hello') });
const v4 = (spec: Partial<B.Ipv4Spec> = {}): Buffer => B.ipv4({ payload: seg(), ...spec });
const eth = (ip: Buffer): Buffer => B.ethernet({ etherType: 0x0800, payload: ip, pad: false });

interface Case {
  name: string;
  dlt: number;
  frame: Buffer;
  caplen?: number;
  reason: string;
}

const cases: Case[] = [
  { name: 'Ethernet shorter than 14 bytes', dlt: 1, frame: Buffer.alloc(13), reason: 'truncated_link' },
  { name: 'VLAN tag cut off', dlt: 1, frame: Buffer.from('0200000000000200000000018100002a', 'hex'), reason: 'truncated_link' },
  {
    name: 'nine stacked VLAN tags',
    dlt: 1,
    frame: B.ethernet({ etherType: 0x0800, tags: Array.from({ length: 9 }, (_, i) => B.vlan(i + 1)), payload: v4() }),
    reason: 'too_many_vlan_tags',
  },
  { name: 'SLL shorter than 16 bytes', dlt: 113, frame: Buffer.alloc(15), reason: 'truncated_link' },
  { name: 'SLL2 shorter than 20 bytes', dlt: 276, frame: Buffer.alloc(19), reason: 'truncated_link' },
  { name: 'NULL shorter than 4 bytes', dlt: 0, frame: Buffer.from([2, 0, 0]), reason: 'truncated_link' },
  { name: 'LOOP shorter than 4 bytes', dlt: 108, frame: Buffer.from([0, 0]), reason: 'truncated_link' },
  { name: 'NFLOG shorter than its header', dlt: 239, frame: Buffer.from([2, 0, 0]), reason: 'truncated_link' },
  {
    name: 'NFLOG TLV length below 4',
    dlt: 239,
    frame: Buffer.concat([Buffer.from([2, 0, 0, 1]), Buffer.from([2, 0, 9, 0]), v4()]),
    reason: 'bad_nflog_tlv',
  },
  {
    name: 'NFLOG TLV longer than the capture',
    dlt: 239,
    frame: Buffer.concat([Buffer.from([2, 0, 0, 1]), Buffer.from([0xff, 0x0f, 9, 0]), v4()]),
    reason: 'bad_nflog_tlv',
  },
  {
    name: 'NFLOG without a payload TLV',
    dlt: 239,
    frame: Buffer.concat([Buffer.from([2, 0, 0, 1]), B.nflogTlv({ type: 10, value: Buffer.from('prefix') })]),
    reason: 'nflog_no_payload',
  },
  { name: 'EtherType IPv4 carrying version 6', dlt: 1, frame: eth(B.ipv6({ payload: seg() })), reason: 'bad_ip_version' },
  { name: 'DLT_IPV6 carrying IPv4', dlt: 229, frame: Buffer.concat([v4(), Buffer.alloc(40)]), reason: 'bad_ip_version' },
  { name: 'raw IP with version 5', dlt: 101, frame: v4({ versionOverride: 5 }), reason: 'bad_ip_version' },
  { name: 'raw IP with nothing after the link header', dlt: 101, frame: Buffer.alloc(0), reason: 'truncated_ip_header' },
  { name: 'IPv4 header cut at 19 bytes', dlt: 228, frame: v4().subarray(0, 19), reason: 'truncated_ip_header' },
  {
    name: 'IPv4 options cut by the capture',
    dlt: 1,
    frame: eth(v4({ options: Buffer.alloc(20, 1) })),
    caplen: 14 + 30,
    reason: 'truncated_ip_header',
  },
  { name: 'IPv4 IHL 4', dlt: 228, frame: v4({ ihlOverride: 4 }), reason: 'bad_ihl' },
  { name: 'IPv4 IHL 15 beyond the total length', dlt: 228, frame: v4({ ihlOverride: 15, totalLengthOverride: 45 }), reason: 'bad_ihl' },
  { name: 'IPv4 total length 19', dlt: 228, frame: v4({ totalLengthOverride: 19 }), reason: 'bad_ip_total_length' },
  { name: 'IPv6 header cut at 39 bytes', dlt: 229, frame: B.ipv6({ payload: seg() }).subarray(0, 39), reason: 'truncated_ip_header' },
  {
    name: 'IPv6 hop-by-hop longer than the payload length',
    dlt: 229,
    frame: B.ipv6({ extHeaders: [{ type: 'hopByHop', length: 64 }], payload: seg(), payloadLengthOverride: 40 }),
    reason: 'truncated_ext_header',
  },
  {
    name: 'IPv6 destination options cut by the capture',
    dlt: 229,
    frame: B.ipv6({ extHeaders: [{ type: 'destOpts', length: 32 }], payload: seg() }),
    caplen: 40 + 16,
    reason: 'truncated_ext_header',
  },
  {
    name: 'IPv6 fragment header cut',
    dlt: 229,
    frame: B.ipv6({ extHeaders: [{ type: 'fragment' }], payload: seg() }),
    caplen: 44,
    reason: 'truncated_ext_header',
  },
  {
    name: 'IPv6 with 13 extension headers',
    dlt: 229,
    frame: B.ipv6({ extHeaders: Array.from({ length: 13 }, () => ({ type: 'destOpts' as const })), payload: seg() }),
    reason: 'too_many_ext_headers',
  },
  { name: 'TCP header of 19 bytes', dlt: 228, frame: B.ipv4({ payload: seg().subarray(0, 19) }), reason: 'truncated_tcp_header' },
  { name: 'TCP header cut by the capture', dlt: 228, frame: v4(), caplen: 20 + 12, reason: 'truncated_tcp_header' },
  {
    name: 'TCP options cut by the capture',
    dlt: 228,
    frame: B.ipv4({ payload: B.tcp({ options: B.typicalSynOptions() }) }),
    caplen: 20 + 30,
    reason: 'truncated_tcp_header',
  },
  { name: 'TCP data offset 4', dlt: 228, frame: B.ipv4({ payload: B.tcp({ dataOffsetOverride: 4 }) }), reason: 'bad_tcp_data_offset' },
  {
    name: 'TCP data offset beyond the IP length',
    dlt: 228,
    frame: B.ipv4({ payload: B.tcp({ dataOffsetOverride: 15 }) }),
    reason: 'bad_tcp_data_offset',
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const d = decodeFrame(c.dlt, c.frame, c.caplen ?? c.frame.length);
    t.equal(d.result, DecodeResult.Malformed);
    t.equal(d.pkt.malformedReason, c.reason);
    t.same(d.counters, { ['decode.malformed.' + c.reason]: 1, 'decode.packets': 1 });
    t.equal(d.decoder.malformed, 1);
  });
}

t.test('bad bounds from a caller never throw and are counted', async (t) => {
  const counters = new Counters();
  const dec = new PacketDecoder(counters);
  const pkt = new DecodedPacket();
  const buf = B.ipv4({ payload: seg() });
  for (const [off, caplen] of [[-1, 10], [1.5, 10], [NaN, 10], [0, NaN], [0, -5], [buf.length + 10, 4]]) {
    t.equal(dec.decode(228, buf, off, caplen, pkt), DecodeResult.Malformed, `off ${off} caplen ${caplen}`);
  }
  // caplen beyond the buffer is clamped to it: the packet is still whole
  t.equal(dec.decode(228, buf, 0, buf.length + 100, pkt), DecodeResult.Ok);
  dec.publish();
  t.equal(counters.get('decode.malformed.bad_bounds'), 6);
});

t.test('publish adds deltas, so two decoders can share one Counters', async (t) => {
  const counters = new Counters();
  const a = new PacketDecoder(counters);
  const b = new PacketDecoder(counters);
  const pkt = new DecodedPacket();
  const good = B.ipv4({ payload: seg() });
  const bad = B.ipv4({ payload: seg(), ihlOverride: 2 });
  a.decode(228, good, 0, good.length, pkt);
  a.decode(228, bad, 0, bad.length, pkt);
  b.decode(228, good, 0, good.length, pkt);
  a.publish();
  b.publish();
  a.publish(); // nothing new: adds nothing
  t.equal(counters.get('decode.packets'), 3);
  t.equal(counters.get('decode.ok'), 2);
  t.equal(counters.get('decode.malformed.bad_ihl'), 1);
  a.decode(228, bad, 0, bad.length, pkt);
  a.publish();
  t.equal(counters.get('decode.malformed.bad_ihl'), 2);
  t.equal(counters.get('decode.packets'), 4);
});
