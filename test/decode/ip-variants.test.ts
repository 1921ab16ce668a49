/** IPv4 options, fragments, length trimming; IPv6 extension headers and fragments; TCP options. */
import t from 'tap';
import { decodeFrame, payloadText, DecodeResult } from './decode-harness.js';
import * as B from '../util/packet-builder.js';

const body = (s: string): Buffer => Buffer.from(s, 'latin1');
const eth4 = (ip: Buffer, padByte = 0): Buffer => B.ethernet({ etherType: 0x0800, payload: ip, padByte });
const eth6 = (ip: Buffer): Buffer => B.ethernet({ etherType: 0x86dd, payload: ip });

t.test('Ethernet padding after a short IPv4 segment is not payload', async (t) => {
  // 20 + 20 + 1 = 41 bytes of IP: the frame is padded with 5 bytes to 60
  const frame = eth4(B.ipv4({ payload: B.tcp({ payload: body('A') }) }), 0x42);
  t.equal(frame.length, 60);
  const d = decodeFrame(1, frame);
  t.equal(d.result, DecodeResult.Ok);
  t.equal(payloadText(d), 'A');
  const bare = decodeFrame(1, eth4(B.ipv4({ payload: B.tcp({ flags: B.TCP_FLAGS.SYN }) }), 0x42));
  t.equal(bare.result, DecodeResult.Ok);
  t.equal(bare.pkt.payloadLen, 0, 'a pure SYN padded to 60 bytes has no payload');
  t.equal(bare.pkt.flags, B.TCP_FLAGS.SYN);
});

t.test('Ethernet padding after a short IPv6 segment is not payload', async (t) => {
  // IPv6 frames are never shorter than 60 bytes; add a trailer by hand (some switches do)
  const frame = Buffer.concat([eth6(B.ipv6({ payload: B.tcp({ payload: body('xy') }) })), Buffer.alloc(6, 0x42)]);
  const d = decodeFrame(1, frame);
  t.equal(d.result, DecodeResult.Ok);
  t.equal(payloadText(d), 'xy');
});

t.test('IPv4 options are skipped by IHL', async (t) => {
  const opts = Buffer.from([0x94, 0x04, 0, 0, 1, 1, 1, 0]); // router alert + NOPs + EOL: IHL 7
  const d = decodeFrame(228, B.ipv4({ options: opts, payload: B.tcp({ payload: body('opt') }) }));
  t.equal(d.result, DecodeResult.Ok);
  t.equal(payloadText(d), 'opt');
  t.equal(d.pkt.srcAddrOff, d.base + 12);
  t.equal(d.pkt.payloadOff, d.base + 28 + 20);
});

t.test('TCP options are skipped by the data offset', async (t) => {
  const d = decodeFrame(228, B.ipv4({ payload: B.tcp({ options: B.typicalSynOptions(), flags: 0x12, payload: body('after options') }) }));
  t.equal(d.result, DecodeResult.Ok);
  t.equal(d.pkt.flags, 0x12);
  t.equal(payloadText(d), 'after options');
  t.equal(d.pkt.payloadOff, d.base + 20 + 40);
});

t.test('all TCP flag bits are passed through', async (t) => {
  const d = decodeFrame(228, B.ipv4({ payload: B.tcp({ flags: 0xff }) }));
  t.equal(d.pkt.flags, 0xff);
});

t.test('IPv4 fragments are counted, the DF bit is not a fragment', async (t) => {
  const seg = B.tcp({ payload: Buffer.alloc(64, 0x61) });
  const first = decodeFrame(228, B.ipv4({ moreFragments: true, payload: seg }));
  t.equal(first.result, DecodeResult.Fragment, 'first fragment (MF set, offset 0)');
  t.same(first.counters, { 'decode.fragment': 1, 'decode.packets': 1 });
  const middle = decodeFrame(228, B.ipv4({ moreFragments: true, fragmentOffset: 80, payload: Buffer.alloc(80) }));
  t.equal(middle.result, DecodeResult.Fragment, 'middle fragment');
  const last = decodeFrame(228, B.ipv4({ fragmentOffset: 1480, payload: Buffer.alloc(10) }));
  t.equal(last.result, DecodeResult.Fragment, 'last fragment (MF clear, offset > 0)');
  const df = decodeFrame(228, B.ipv4({ dontFragment: true, payload: seg }));
  t.equal(df.result, DecodeResult.Ok, 'DF set, MF clear, offset 0: a whole packet');
  const udpFrag = decodeFrame(228, B.ipv4({ protocol: 17, moreFragments: true, payload: Buffer.alloc(64) }));
  t.equal(udpFrag.result, DecodeResult.NotTcp, 'a UDP fragment is simply not TCP');
});

t.test('IPv6 extension headers are walked to TCP', async (t) => {
  const exts: B.Ipv6Ext[] = [
    { type: 'hopByHop' },
    { type: 'destOpts', length: 16 },
    { type: 'routing', length: 24 },
    { type: 'ah', length: 24 },
    { type: 'destOpts' },
  ];
  const d = decodeFrame(229, B.ipv6({ extHeaders: exts, payload: B.tcp({ payload: body('deep') }) }));
  t.equal(d.result, DecodeResult.Ok);
  t.equal(payloadText(d), 'deep');
  t.equal(d.pkt.payloadOff, d.base + 40 + 8 + 16 + 24 + 24 + 8 + 20);
});

t.test('IPv6 atomic fragment is a whole packet; real fragments are counted', async (t) => {
  const seg = B.tcp({ payload: body('atomic') });
  const atomic = decodeFrame(1, eth6(B.ipv6({ extHeaders: [{ type: 'fragment', offset: 0, more: false }], payload: seg })));
  t.equal(atomic.result, DecodeResult.Ok);
  t.equal(payloadText(atomic), 'atomic');
  const withHbh = decodeFrame(229, B.ipv6({ extHeaders: [{ type: 'hopByHop' }, { type: 'fragment' }], payload: seg }));
  t.equal(withHbh.result, DecodeResult.Ok, 'atomic fragment after hop-by-hop');
  const first = decodeFrame(229, B.ipv6({ extHeaders: [{ type: 'fragment', more: true }], payload: seg }));
  t.equal(first.result, DecodeResult.Fragment, 'M=1 offset 0');
  const later = decodeFrame(229, B.ipv6({ extHeaders: [{ type: 'fragment', offset: 1232 }], payload: Buffer.alloc(30) }));
  t.equal(later.result, DecodeResult.Fragment, 'M=0 offset > 0');
  t.same(later.counters, { 'decode.fragment': 1, 'decode.packets': 1 });
  const udp = decodeFrame(229, B.ipv6({ extHeaders: [{ type: 'fragment', more: true }], nextHeader: 17, payload: Buffer.alloc(30) }));
  t.equal(udp.result, DecodeResult.NotTcp, 'a UDP fragment is not TCP');
});

t.test('IPv6 payload length trims trailing bytes', async (t) => {
  const ip = B.ipv6({ payload: B.tcp({ payload: body('12345') }) });
  const d = decodeFrame(229, Buffer.concat([ip, Buffer.alloc(11, 0x33)]));
  t.equal(d.result, DecodeResult.Ok);
  t.equal(payloadText(d), '12345');
});

t.test('a snaplen-cut packet is trimmed to the captured bytes and counted as truncated', async (t) => {
  const frame = eth4(B.ipv4({ payload: B.tcp({ payload: Buffer.alloc(1000, 0x41) }) }));
  const caplen = 14 + 20 + 20 + 200;
  const d = decodeFrame(1, frame, caplen);
  t.equal(d.result, DecodeResult.Ok);
  t.equal(d.pkt.payloadLen, 200, 'only what was captured');
  t.equal(d.pkt.payloadOff + d.pkt.payloadLen, d.base + caplen, 'never past caplen, though the buffer goes on');
  t.same(d.counters, { 'decode.ok': 1, 'decode.packets': 1, 'decode.truncated': 1 });
  const d6 = decodeFrame(229, B.ipv6({ payload: B.tcp({ payload: Buffer.alloc(300) }) }), 40 + 20 + 7);
  t.equal(d6.pkt.payloadLen, 7);
  t.equal(d6.counters['decode.truncated'], 1);
});

t.test('an IP length of 0 (TSO/GSO capture) means the captured length', async (t) => {
  const seg = B.tcp({ payload: Buffer.alloc(3000, 0x41) });
  const d = decodeFrame(1, eth4(B.ipv4({ totalLengthOverride: 0, payload: seg })));
  t.equal(d.result, DecodeResult.Ok);
  t.equal(d.pkt.payloadLen, 3000);
  t.equal(d.counters['decode.ip_length_zero'], 1);
  const d6 = decodeFrame(229, B.ipv6({ payloadLengthOverride: 0, payload: seg }));
  t.equal(d6.pkt.payloadLen, 3000);
  t.equal(d6.counters['decode.ip_length_zero'], 1);
});

t.test('the decoder reuses `out` without leaking state between packets', async (t) => {
  const d = decodeFrame(228, B.ipv4({ ihlOverride: 3, payload: B.tcp() }));
  t.equal(d.pkt.malformedReason, 'bad_ihl');
  const ok = d.decoder.decode(228, d.pkt.buf, d.base, 0, d.pkt);
  t.equal(ok, DecodeResult.Malformed);
  const frame = B.ipv4({ payload: B.tcp({ payload: body('z') }) });
  t.equal(d.decoder.decode(228, frame, 0, frame.length, d.pkt), DecodeResult.Ok);
  t.equal(d.pkt.malformedReason, '', 'reason cleared on success');
  t.equal(d.pkt.buf, frame, 'buf points at the buffer decoded last');
  t.equal(d.decoder.packets, 3);
  t.equal(d.decoder.packetsOk + d.decoder.malformed, 3);
});
