/**
 * Held data in blocks (segment-queue.ts): contiguous data behind a hole shares blocks that grow up to
 * MAX_BLOCK_BYTES, a lone reordered segment gets a block of its exact size, and the accounting counts
 * the block sizes (what is allocated). Deterministic: held segments and accounted bytes, not RSS.
 */
import t from 'tap';
import { Harness, handshake } from './fixtures/harness.js';
import { SEGMENT_OVERHEAD_BYTES } from '../../src/reassembly/options.js';
import { MAX_BLOCK_BYTES } from '../../src/reassembly/segment-queue.js';

const MSS = 1460;

function stream(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = 33 + ((i * 7) % 90);
  return b;
}

t.test('a run of segments behind a hole is held in few blocks, and delivered exactly', async (t) => {
  const h = new Harness({});
  const data = stream(201 * MSS);
  h.feed(handshake());
  for (let k = 1; k < 201; k++) h.feed([{ from: 'c', seq: 1001 + k * MSS, data: data.subarray(k * MSS, (k + 1) * MSS) }]);
  const s = h.asm.stats();
  const payload = 200 * MSS;
  t.equal(s.payloadBytesBuffered, payload);
  // blocks double from one segment up to MAX_BLOCK_BYTES: 1460, 2920, 5840, 11680, then 16 KiB each
  t.ok(s.segmentsBuffered <= 4 + Math.ceil(payload / MAX_BLOCK_BYTES), `${s.segmentsBuffered} held segments (blocks) for 200 TCP segments`);
  t.ok(s.bytesBuffered >= payload + s.segmentsBuffered * SEGMENT_OVERHEAD_BYTES, 'accounted: at least payload plus overhead');
  t.ok(s.bytesBuffered < payload + MAX_BLOCK_BYTES + s.segmentsBuffered * SEGMENT_OVERHEAD_BYTES,
    'spare room: less than one block');
  h.feed([{ from: 'c', seq: 1001, data: data.subarray(0, MSS) }]);
  t.equal(h.one.text(0), data.toString('latin1'), 'the hole filled: every byte in order');
  t.equal(h.asm.stats().bytesBuffered, 0);
  t.equal(h.asm.stats().segmentsBuffered, 0);
});

t.test('a lone reordered segment is held at its exact size', async (t) => {
  const h = new Harness({});
  h.feed([...handshake(), { from: 'c', seq: 1011, data: 'x'.repeat(50) }]);
  t.equal(h.asm.stats().bytesBuffered, 50 + SEGMENT_OVERHEAD_BYTES);
  h.feed([{ from: 'c', seq: 1061, data: 'y'.repeat(30) }]);
  const s = h.asm.stats();
  t.equal(s.segmentsBuffered, 2, 'a continuation that does not fit gets its own block');
  t.equal(s.bytesBuffered, 50 + 100 + 2 * SEGMENT_OVERHEAD_BYTES, 'its block is twice the previous one');
  h.feed([{ from: 'c', seq: 1091, data: 'z'.repeat(70) }]);
  t.equal(h.asm.stats().segmentsBuffered, 2, 'the next continuation fills the spare room');
  t.equal(h.asm.stats().bytesBuffered, 50 + 100 + 2 * SEGMENT_OVERHEAD_BYTES, 'no new allocation');
  h.feed([{ from: 'c', seq: 1001, data: 'a'.repeat(10) }]);
  t.equal(h.one.text(0), 'a'.repeat(10) + 'x'.repeat(50) + 'y'.repeat(30) + 'z'.repeat(70));
});

t.test('overlaps and retransmissions into a block keep the first data received', async (t) => {
  const h = new Harness({});
  h.feed([...handshake(),
    { from: 'c', seq: 1011, data: 'BBBBBBBBBB' }, // 1011-1020
    { from: 'c', seq: 1021, data: 'CCCCCCCCCC' }, // continues it: same block chain
    { from: 'c', seq: 1016, data: 'xxxxxxxxxxxxxxxyyyyy' }, // 1016-1035: only 1031-1035 is new
    { from: 'c', seq: 1011, data: 'zzzzzzzzzz' }, // a retransmission of held bytes: nothing new
  ]);
  t.equal(h.asm.stats().payloadBytesBuffered, 25);
  h.feed([{ from: 'c', seq: 1001, data: 'AAAAAAAAAA' }]);
  t.equal(h.one.text(0), 'AAAAAAAAAABBBBBBBBBBCCCCCCCCCCyyyyy');
});

t.test('a FIN inside a block trims it to a block of the kept size', async (t) => {
  const h = new Harness({});
  h.feed([...handshake(), { from: 'c', seq: 1011, data: 'B'.repeat(10) }, { from: 'c', seq: 1021, data: 'C'.repeat(10) }]);
  h.feed([{ from: 'c', seq: 1021, data: 'C'.repeat(5), flags: 0x11 }]); // FIN after 1025
  const s = h.asm.stats();
  t.equal(s.payloadBytesBuffered, 15);
  t.equal(s.bytesBuffered, 10 + 5 + 2 * SEGMENT_OVERHEAD_BYTES, 'accounted at the kept size');
  t.ok(h.counters.get('reassembly.data_after_fin') >= 1);
  h.feed([{ from: 'c', seq: 1001, data: 'A'.repeat(10) }]);
  t.equal(h.one.text(0), 'A'.repeat(10) + 'B'.repeat(10) + 'C'.repeat(5));
});
