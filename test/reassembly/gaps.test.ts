/** Gaps: the stream timeout (packet time) and the memory caps. */
import t from 'tap';
import { CLIENT, Harness, SERVER, handshake, type Endpoint } from './fixtures/harness.js';
import { SEGMENT_OVERHEAD_BYTES } from '../../src/reassembly/options.js';

t.test('a hole filled before the timeout is no gap', async (t) => {
  const h = new Harness({ streamTimeoutSec: 10 });
  h.feed([...handshake(100), { from: 'c', seq: 1005, data: '/a', t: 100 }]);
  h.tick(105);
  h.feed([{ from: 'c', seq: 1001, data: 'GET ', t: 109.5 }]);
  h.tick(130);
  t.equal(h.one.text(0), 'GET /a');
  t.equal(h.counters.get('reassembly.gap'), 0);
});

t.test('a hole is declared a gap after streamTimeoutSec of packet time', async (t) => {
  const h = new Harness({ streamTimeoutSec: 10 });
  h.feed([...handshake(100), { from: 'c', seq: 1005, data: '/a', t: 100 }]);
  h.tick(109.9);
  t.equal(h.one.text(0), '', 'nothing before the timeout');
  h.tick(111); // deadline 110, silent connection checked at most 1 s late; tick() is synchronous: no waiting
  t.equal(h.one.text(0), '[gap 4]/a');
  const gap = h.one.events.find((e) => e.kind === 'gap')!;
  t.equal(gap.tsSec, 111, 'reported at packet time');
  h.feed([{ from: 'c', seq: 1001, data: 'GET ', t: 112 }]);
  t.equal(h.one.text(0), '[gap 4]/a', 'the late segment is dropped as already passed');
  t.equal(h.counters.get('reassembly.gap_timeout'), 1);
});

t.test('a packet of the waiting connection triggers its gap exactly at the deadline', async (t) => {
  const h = new Harness({ streamTimeoutSec: 2 });
  h.feed([...handshake(0), { from: 'c', seq: 1003, data: 'cd', t: 0.5 }]);
  h.feed([{ from: 's', seq: 5001, data: 'x', t: 2.4 }]);
  t.equal(h.one.text(0), '');
  h.feed([{ from: 's', seq: 5002, data: 'y', t: 2.5 }]);
  t.equal(h.one.text(0), '[gap 2]cd');
});

t.test('the wait is measured from the oldest segment held behind the current hole', async (t) => {
  const h = new Harness({ streamTimeoutSec: 10 });
  h.feed([
    ...handshake(0),
    { from: 'c', seq: 1003, data: 'cd', t: 0 }, // behind hole 1001-1002
    { from: 'c', seq: 1007, data: 'gh', t: 9 }, // behind hole 1005-1006
  ]);
  h.tick(10.5);
  t.equal(h.one.text(0), '[gap 2]cd', 'first hole expired, second one not yet');
  h.tick(18.5);
  t.equal(h.one.text(0), '[gap 2]cd');
  h.tick(20);
  t.equal(h.one.text(0), '[gap 2]cd[gap 2]gh');
});

t.test('a hole before a FIN times out like any other', async (t) => {
  const h = new Harness({ streamTimeoutSec: 3 });
  h.feed([...handshake(0), { from: 'c', seq: 1001, data: 'ab', t: 0 }, { from: 'c', seq: 1009, flags: 0x11, t: 1 }]);
  h.feed([{ from: 's', seq: 5001, flags: 0x11, t: 1 }]);
  t.same(h.one.closes(), []);
  h.tick(5);
  t.equal(h.one.text(0), 'ab[gap 6]');
  t.same(h.one.closes(), ['fin'], 'both sides finished once the hole is declared');
});

interface CapCase {
  name: string;
  options: { maxBufferedBytesPerConn?: number; maxSegmentsPerConn?: number };
  counter: string;
  /** Segments (of 12) never sent. */
  lost: number[];
}

const SEG = 100;
const capCases: CapCase[] = [
  // contiguous segments behind a hole share blocks (segment-queue.ts), so the byte cap sees blocks grow
  { name: 'per-connection byte cap', options: { maxBufferedBytesPerConn: 3 * (SEG + SEGMENT_OVERHEAD_BYTES) }, counter: 'reassembly.cap_conn_bytes', lost: [0, 5] },
  // every other segment lost: each held segment stands alone
  { name: 'per-connection segment cap', options: { maxSegmentsPerConn: 3 }, counter: 'reassembly.cap_conn_segments', lost: [0, 2, 4, 6, 8, 10] },
];

for (const c of capCases) {
  t.test(`${c.name}: skips to the earliest held segment, never holds more`, async (t) => {
    const h = new Harness(c.options);
    const original = Buffer.alloc(SEG * 12);
    for (let i = 0; i < original.length; i++) original[i] = 33 + (i % 90);
    h.feed(handshake());
    // the lost segments never come; the others arrive in order
    for (let k = 1; k < 12; k++) {
      if (c.lost.includes(k)) continue;
      h.feed([{ from: 'c', seq: 1001 + k * SEG, data: original.subarray(k * SEG, (k + 1) * SEG) }]);
      const s = h.asm.stats();
      if (c.options.maxBufferedBytesPerConn !== undefined && s.bytesBuffered > c.options.maxBufferedBytesPerConn) {
        t.fail(`held ${s.bytesBuffered} bytes after segment ${k}`);
      }
      if (c.options.maxSegmentsPerConn !== undefined && s.segmentsBuffered > c.options.maxSegmentsPerConn) {
        t.fail(`held ${s.segmentsBuffered} segments after segment ${k}`);
      }
    }
    t.ok(h.counters.get(c.counter) >= 2, `${c.counter} counted`);
    h.asm.closeAll();
    const piece = (k: number) => (c.lost.includes(k) ? `[gap ${SEG}]` : original.subarray(k * SEG, (k + 1) * SEG).toString('latin1'));
    const expected = Array.from({ length: 12 }, (_, k) => piece(k)).join('');
    t.equal(h.one.text(0), expected, 'every byte at its place, gaps where segments were lost');
  });
}

t.test('total cap: flushes the connections waiting longest, never holds more', async (t) => {
  const per = SEG + SEGMENT_OVERHEAD_BYTES;
  const cap = 5 * per;
  const h = new Harness({ maxBufferedBytesTotal: cap });
  const client = (i: number): Endpoint => ({ ip: CLIENT.ip, port: 41000 + i });
  for (let i = 0; i < 4; i++) h.feed(handshake(i), client(i), SERVER);
  // each connection: byte 1001 lost, then two held segments; four connections would hold 8 * per
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 4; i++) {
      const seq = 1002 + round * SEG;
      h.feed([{ from: 'c', seq, data: Buffer.alloc(SEG, 65 + i), t: 10 + round * 4 + i }], client(i), SERVER);
      if (h.asm.stats().bytesBuffered > cap) t.fail(`total held ${h.asm.stats().bytesBuffered} > ${cap}`);
    }
  }
  t.ok(h.counters.get('reassembly.cap_total_bytes') >= 1);
  const texts = h.factory.consumers.map((c) => c.text(0));
  t.equal(texts[0], `[gap 1]${'A'.repeat(2 * SEG)}`, 'the connection waiting longest was flushed first');
  t.equal(texts[3], '', 'the newest waiter still holds its data');
  h.asm.closeAll();
  for (let i = 0; i < 4; i++) {
    t.equal(h.factory.consumers[i].text(0), `[gap 1]${String.fromCharCode(65 + i).repeat(2 * SEG)}`);
  }
});

t.test('stats and counters report what is held', async (t) => {
  const h = new Harness();
  h.feed([...handshake(), { from: 'c', seq: 1011, data: 'x'.repeat(50) }, { from: 's', seq: 5101, data: 'y'.repeat(20) }]);
  const s = h.asm.stats();
  t.equal(s.payloadBytesBuffered, 70);
  t.equal(s.segmentsBuffered, 2);
  t.equal(s.bytesBuffered, 70 + 2 * SEGMENT_OVERHEAD_BYTES);
  t.equal(s.connectionsWaiting, 1);
  t.equal(s.connectionsOpen, 1);
  h.asm.closeAll();
  const after = h.asm.stats();
  t.equal(after.gaps, 2);
  t.equal(after.gapBytes, 110);
  t.equal(after.bytesDelivered, 70);
  t.equal(h.counters.get('reassembly.gap_bytes'), 110, 'published to counters');
});
