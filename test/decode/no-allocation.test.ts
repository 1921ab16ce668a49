/**
 * The hot path allocates nothing: two million decodes of every common shape of packet
 * (Ok over several link types, NotTcp, Fragment, Malformed) run without a garbage collection. Even
 * 16 bytes allocated per packet would be 32 MB here, which forces several scavenges of V8's young
 * generation; one GC is tolerated for whatever the runtime itself does.
 */
import t from 'tap';
import { PerformanceObserver } from 'node:perf_hooks';
import { PacketDecoder } from '../../src/decode/packet-decoder.js';
import { DecodedPacket, DecodeResult } from '../../src/decode/types.js';
import { Counters } from '../../src/util/counters.js';
import * as B from '../util/packet-builder.js';

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
  const loop = (count: number): number => {
    let wrong = 0;
    for (let i = 0; i < count; i++) {
      const k = i % n;
      const s = shapes[k];
      if (dec.decode(s.dlt, buf, offs[k], s.frame.length, out) !== s.expect) wrong++;
    }
    return wrong;
  };
  t.equal(loop(100_000), 0, 'warm-up: every shape decodes as expected');

  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });
  await new Promise((r) => setTimeout(r, 20));
  gcs = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  const count = 2_000_000;
  const wrong = loop(count);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
  await new Promise((r) => setTimeout(r, 50)); // GC entries are delivered asynchronously
  obs.disconnect();
  t.equal(wrong, 0);
  t.ok(gcs <= 1, `garbage collections during ${count} decodes: ${gcs}`);
  t.ok(heapGrowth < 2 << 20, `heap growth ${heapGrowth} bytes`);
  t.comment(`${(count / seconds / 1e6).toFixed(2)} M packets/s (mixed shapes, test build)`);
});
