/**
 * The hot path allocates nothing per packet: two million decodes of every common shape of packet
 * (Ok over several link types, NotTcp, Fragment, Malformed) under V8's sampling heap profiler, which
 * records allocations as they happen (objects a GC has already collected included), with the stack that
 * made them. No garbage collection, heap size or time is read: the samples count bytes allocated, so the
 * result does not depend on when the GC runs or how busy the machine is. Even a 16-byte object per
 * packet would be 32 MB here, thousands of samples; a loop that allocates one on purpose shows the
 * profiler sees such allocations.
 */
import t from 'tap';
import { Session } from 'node:inspector';
import { PacketDecoder } from '../../src/decode/packet-decoder.js';
import { DecodedPacket, DecodeResult } from '../../src/decode/types.js';
import { Counters } from '../../src/util/counters.js';
import * as B from '../util/packet-builder.js';
import { bytesAllocatedIn } from '../util/heap-profile.js';

const seg = B.tcp({ options: B.typicalSynOptions(), payload: Buffer.alloc(200, 0x41) });
const shapes: { dlt: number; frame: Buffer; expect: DecodeResult }[] = [
  { dlt: 1, frame: B.ethernet({ etherType: 0x0800, payload: B.ipv4({ payload: seg }) }), expect: DecodeResult.Ok },
  { dlt: 1, frame: B.ethernet({ etherType: 0x86dd, tags: B.qinq(1, 2), payload: B.ipv6({ extHeaders: [{ type: 'fragment' }], payload: seg }) }), expect: DecodeResult.Ok },
  { dlt: 276, frame: B.sll2(0x0800, B.ipv4({ payload: seg })), expect: DecodeResult.Ok },
  { dlt: 239, frame: B.nflog(2, B.ipv4({ payload: seg })), expect: DecodeResult.Ok },
  { dlt: 1, frame: B.ethernet({ etherType: 0x0806, payload: Buffer.alloc(28) }), expect: DecodeResult.NotTcp },
  { dlt: 228, frame: B.ipv4({ protocol: 17, payload: Buffer.alloc(30) }), expect: DecodeResult.NotTcp },
  { dlt: 228, frame: B.ipv4({ moreFragments: true, payload: seg }), expect: DecodeResult.Fragment },
  { dlt: 228, frame: B.ipv4({ ihlOverride: 2, payload: seg }), expect: DecodeResult.Malformed },
  { dlt: 1, frame: Buffer.alloc(10), expect: DecodeResult.Malformed },
];

t.test('decode allocates nothing per packet', async (t) => {
  const buf = Buffer.concat(shapes.map((s) => s.frame));
  const offs: number[] = [];
  shapes.reduce((o, s) => (offs.push(o), o + s.frame.length), 0);
  const dec = new PacketDecoder(new Counters());
  const out = new DecodedPacket();
  const n = shapes.length;
  let wrong = 0;
  function decodeMany(count: number): void {
    for (let i = 0; i < count; i++) {
      const k = i % n;
      const s = shapes[k];
      if (dec.decode(s.dlt, buf, offs[k], s.frame.length, out) !== s.expect) wrong++;
    }
  }
  let kept: { i: number } | null = null;
  function allocateMany(count: number): void {
    for (let i = 0; i < count; i++) kept = { i }; // one small object per iteration, on purpose
  }

  decodeMany(100_000);
  allocateMany(100_000);
  t.equal(wrong, 0, 'warm-up: every shape decodes as expected');

  const session = new Session();
  session.connect();
  t.teardown(() => session.disconnect());
  const count = 2_000_000;
  const control = bytesAllocatedIn(session, 'allocateMany', () => allocateMany(count));
  const decoded = bytesAllocatedIn(session, 'decodeMany', () => decodeMany(count));
  t.ok(kept, 'the control loop ran');
  t.ok(control >= 8 * count, `the profiler sees an allocation per iteration (${control} bytes over ${count})`);
  t.equal(wrong, 0, 'every decode gave the expected result');
  // Less than one byte per packet on average: any per-packet object is 12 bytes or more.
  t.ok(decoded < count, `bytes allocated during ${count} decodes: ${decoded}`);
});
