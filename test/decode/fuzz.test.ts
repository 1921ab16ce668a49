/**
 * Randomized robustness check: random bytes and random mutations of valid frames, for every link
 * type. Asserts that decode never throws, that its outcome counters add up, and that on Ok every
 * offset it reports lies inside [off, off + caplen) even though the buffer continues past caplen.
 * Seeded (DECODE_FUZZ_SEED overrides) so a failure can be replayed.
 */
import t from 'tap';
import { PacketDecoder } from '../../src/decode/packet-decoder.js';
import { DecodedPacket, DecodeResult } from '../../src/decode/types.js';
import { Counters } from '../../src/util/counters.js';
import * as B from '../util/packet-builder.js';
import { makePrng as prng } from '../util/prng.js';
import * as L from '../../fixtures/links/relink.js';
import { HEADERS, END_HEADERS, END_STREAM, PREFACE, HpackEncoder, frame, settings } from '../../bench/lib/h2-frames.mjs';

const SEED = Number(process.env.DECODE_FUZZ_SEED ?? 0x5eed1234);
const ITERATIONS = 60_000;


const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 239, 276, 9, 50, 51, 104, 166, 204, 205, 147];

function validFrames(): { dlt: number; frame: Buffer }[] {
  const seg = B.tcp({ options: B.typicalSynOptions(), payload: Buffer.from('GET / HTTP/1.1\r\n\r\n') });
  const v4 = B.ipv4({ options: Buffer.from([1, 1, 1, 0]), payload: seg });
  const v6 = B.ipv6({ extHeaders: [{ type: 'hopByHop' }, { type: 'routing', length: 16 }, { type: 'fragment' }, { type: 'ah' }], payload: seg });
  // an h2c connection's first segment: preface, SETTINGS, a HEADERS frame (Huffman, dynamic table)
  const h2 = Buffer.concat([PREFACE, settings([[4, 65535]]), frame(HEADERS, END_HEADERS | END_STREAM, 1,
    new HpackEncoder().encode([[':method', 'GET'], [':scheme', 'http'], [':authority', 'api.test'], [':path', '/h2']]))]);
  const h2v4 = B.ipv4({ payload: B.tcp({ dstPort: 8080, payload: h2 }) });
  return [
    { dlt: 1, frame: B.ethernet({ etherType: 0x0800, payload: h2v4 }) },
    { dlt: 276, frame: B.sll2(0x86dd, B.ipv6({ payload: B.tcp({ srcPort: 8080, payload: h2.subarray(24) }) })) },
    { dlt: 1, frame: B.ethernet({ etherType: 0x0800, payload: v4 }) },
    { dlt: 1, frame: B.ethernet({ etherType: 0x86dd, tags: B.qinq(1, 2), payload: v6 }) },
    { dlt: 113, frame: B.sll(0x8100, Buffer.concat([Buffer.from([0, 1, 0x08, 0]), v4])) },
    { dlt: 276, frame: B.sll2(0x86dd, v6) },
    { dlt: 0, frame: B.nullLoop(2, v4) },
    { dlt: 108, frame: B.loop(24, v6) },
    { dlt: 101, frame: v6 },
    { dlt: 228, frame: v4 },
    { dlt: 229, frame: v6 },
    { dlt: 239, frame: B.nflog(10, v6) },
    { dlt: 239, frame: B.nflog(2, v4) },
    { dlt: 104, frame: L.chdlc(0x86dd, v6) },
    { dlt: 9, frame: L.ppp(0x0021, v4, { acfc: true, pfc: true }) },
    { dlt: 50, frame: L.ppp(0x0281, L.mplsStack([16, 17], v6)) },
    { dlt: 51, frame: L.pppoe(7, Buffer.concat([Buffer.from([0x57]), v6])) },
    { dlt: 1, frame: B.ethernet({ etherType: 0x8864, tags: [B.vlan(9)], payload: L.pppoe(7, Buffer.concat([Buffer.from([0, 0x21]), v4])) }) },
    { dlt: 205, frame: Buffer.concat([Buffer.from([1]), L.chdlc(0x0800, v4)]) },
  ];
}

t.test(`random input never throws and offsets stay in range (seed ${SEED})`, async (t) => {
  const rand = prng(SEED);
  const int = (n: number): number => Math.floor(rand() * n);
  const counters = new Counters();
  const dec = new PacketDecoder(counters);
  const pkt = new DecodedPacket();
  const frames = validFrames();
  const buf = Buffer.alloc(4096);
  const seen = [0, 0, 0, 0, 0];
  let failures = 0;

  for (let i = 0; i < ITERATIONS && failures < 5; i++) {
    buf.fill(0xee); // bytes past caplen: must never be used
    const off = int(64);
    let dlt: number;
    let len: number;
    if (i % 3 === 0) {
      dlt = LINK_TYPES[int(LINK_TYPES.length)];
      len = int(160);
      for (let k = 0; k < len; k++) buf[off + k] = int(256);
    } else {
      const f = frames[int(frames.length)];
      dlt = f.dlt;
      f.frame.copy(buf, off);
      len = f.frame.length;
      const flips = 1 + int(4);
      for (let k = 0; k < flips; k++) {
        const at = off + int(Math.min(len, 90)); // most header bytes live in the first 90
        const r = rand();
        buf[at] = r < 0.3 ? 0 : r < 0.5 ? 0xff : int(256);
      }
    }
    const caplen = rand() < 0.4 ? int(len + 1) : len;
    const end = off + caplen;
    let result: DecodeResult;
    try {
      result = dec.decode(dlt, buf, off, caplen, pkt);
    } catch (err) {
      failures++;
      t.fail(`threw on dlt ${dlt} ${buf.toString('hex', off, end)}: ${String(err)}`);
      continue;
    }
    seen[result]++;
    if (result === DecodeResult.Ok) {
      const inRange = (o: number, n: number): boolean => Number.isInteger(o) && o >= off && n >= 0 && o + n <= end;
      const ok =
        inRange(pkt.payloadOff, pkt.payloadLen) &&
        inRange(pkt.srcAddrOff, pkt.addrLen) &&
        inRange(pkt.dstAddrOff, pkt.addrLen) &&
        (pkt.addrLen === 4 || pkt.addrLen === 16) &&
        pkt.seq >= 0 && pkt.seq <= 0xffffffff &&
        pkt.ack >= 0 && pkt.ack <= 0xffffffff &&
        pkt.payloadOff >= pkt.dstAddrOff + pkt.addrLen + 20;
      if (!ok) {
        failures++;
        t.fail(`offsets out of range on dlt ${dlt} ${buf.toString('hex', off, end)}: ${JSON.stringify({ ...pkt, buf: undefined })}`);
      }
    } else if (result === DecodeResult.Malformed && pkt.malformedReason === '') {
      failures++;
      t.fail('Malformed without a reason');
    }
  }
  t.equal(failures, 0, 'no throw, no out-of-range offset');
  t.equal(dec.packets, ITERATIONS);
  t.equal(dec.packetsOk + dec.notTcp + dec.fragments + dec.malformed + dec.unsupportedLink, dec.packets, 'outcomes add up');
  dec.publish();
  const snap = counters.snapshot();
  const malformedSum = Object.entries(snap).filter(([k]) => k.startsWith('decode.malformed.')).reduce((s, [, v]) => s + v, 0);
  t.equal(malformedSum, dec.malformed, 'per-reason counters add up to the malformed total');
  // the mutations must exercise every outcome, or the check proves little
  t.ok(seen[DecodeResult.Ok] > 1000, `Ok ${seen[DecodeResult.Ok]}`);
  t.ok(seen[DecodeResult.NotTcp] > 100, `NotTcp ${seen[DecodeResult.NotTcp]}`);
  t.ok(seen[DecodeResult.Malformed] > 1000, `Malformed ${seen[DecodeResult.Malformed]}`);
  t.ok(seen[DecodeResult.Fragment] > 10, `Fragment ${seen[DecodeResult.Fragment]}`);
  t.ok(seen[DecodeResult.UnsupportedLink] > 100, `UnsupportedLink ${seen[DecodeResult.UnsupportedLink]}`);
  t.comment(`outcomes: ${JSON.stringify(snap)}`);
});
