/**
 * Ordering of one connection's bytes: in-order, out-of-order, duplicates, overlaps, wrap-around.
 * Each case feeds a handshake (client ISN 1000, server ISN 5000) plus its segments, then closes
 * the capture and compares the delivered streams and the counters.
 */
import t from 'tap';
import { Harness, handshake, type Seg } from './fixtures/harness.js';

interface Case {
  name: string;
  segs: Seg[];
  client: string;
  server?: string;
  counters?: Record<string, number>;
}

const cases: Case[] = [
  {
    name: 'in order, both directions',
    segs: [
      { from: 'c', seq: 1001, data: 'GET / ' },
      { from: 'c', seq: 1007, data: 'HTTP/1.1\r\n\r\n' },
      { from: 's', seq: 5001, data: 'HTTP/1.1 200 OK\r\n' },
    ],
    client: 'GET / HTTP/1.1\r\n\r\n',
    server: 'HTTP/1.1 200 OK\r\n',
    counters: { 'reassembly.retransmit': 0, 'reassembly.overlap': 0, 'reassembly.gap': 0 },
  },
  {
    name: 'out of order: later segments held until the hole fills',
    segs: [
      { from: 'c', seq: 1009, data: 'CCCC' },
      { from: 'c', seq: 1005, data: 'BBBB' },
      { from: 'c', seq: 1001, data: 'AAAA' },
      { from: 'c', seq: 1013, data: 'DD' },
    ],
    client: 'AAAABBBBCCCCDD',
  },
  {
    name: 'retransmission of delivered data is dropped',
    segs: [
      { from: 'c', seq: 1001, data: 'GET ' },
      { from: 'c', seq: 1001, data: 'GET ' },
      { from: 'c', seq: 1005, data: '/x' },
      { from: 'c', seq: 1003, data: 'T ' },
    ],
    client: 'GET /x',
    counters: { 'reassembly.retransmit': 2, 'reassembly.overlap': 0 },
  },
  {
    name: 'duplicate of held data is dropped',
    segs: [
      { from: 'c', seq: 1005, data: '/x' },
      { from: 'c', seq: 1005, data: '/x' },
      { from: 'c', seq: 1001, data: 'GET ' },
    ],
    client: 'GET /x',
    counters: { 'reassembly.retransmit': 1 },
  },
  {
    name: 'partial overlap with delivered data: only the new bytes are used',
    segs: [
      { from: 'c', seq: 1001, data: 'GET /' },
      { from: 'c', seq: 1004, data: 'XXabc' }, // 1004-1005 already delivered
    ],
    client: 'GET /abc',
    counters: { 'reassembly.overlap': 1 },
  },
  {
    name: 'first data received wins over a conflicting later copy (held data)',
    segs: [
      { from: 'c', seq: 1005, data: 'AAAA' },
      { from: 'c', seq: 1001, data: 'GET BBBBCC' },
    ],
    client: 'GET AAAACC',
    counters: { 'reassembly.overlap': 1 },
  },
  {
    name: 'a new segment spanning two held segments fills only the uncovered bytes',
    segs: [
      { from: 'c', seq: 1004, data: 'dd' },
      { from: 'c', seq: 1009, data: 'ii' },
      { from: 'c', seq: 1003, data: 'cXXfghXXkl' },
      { from: 'c', seq: 1001, data: 'ab' },
    ],
    client: 'abcddfghiikl',
    counters: { 'reassembly.overlap': 1, 'reassembly.retransmit': 0 },
  },
  {
    name: 'a new segment fully inside held data is a retransmission',
    segs: [
      { from: 'c', seq: 1005, data: 'efghij' },
      { from: 'c', seq: 1006, data: 'XYZ' },
      { from: 'c', seq: 1001, data: 'abcd' },
    ],
    client: 'abcdefghij',
    counters: { 'reassembly.retransmit': 1 },
  },
  {
    name: 'data far beyond any TCP window is dropped',
    segs: [
      { from: 'c', seq: 1001, data: 'ok' },
      { from: 'c', seq: (1003 + 2 ** 30 + 5) >>> 0, data: 'junk' },
    ],
    client: 'ok',
    counters: { 'reassembly.out_of_window': 1, 'reassembly.gap': 0 },
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const h = new Harness();
    h.feed([...handshake(), ...c.segs]);
    h.asm.closeAll();
    t.equal(h.one.text(0), c.client, 'client -> server stream');
    t.equal(h.one.text(1), c.server ?? '', 'server -> client stream');
    t.same(h.one.closes(), ['end']);
    for (const [name, want] of Object.entries(c.counters ?? {})) t.equal(h.counters.get(name), want, name);
    t.equal(h.asm.stats().bytesBuffered, 0, 'nothing held after closeAll');
  });
}

t.test('sequence numbers wrap around 2^32', async (t) => {
  const isn = 0xfffffff0;
  const h = new Harness();
  const data = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const at = (i: number) => (isn + 1 + i) >>> 0;
  h.feed([
    { from: 'c', seq: isn, flags: 0x02 },
    { from: 's', seq: 0xffffff00, ack: at(0), flags: 0x12 },
    // out of order across the wrap: the segment after 2^32 arrives first
    { from: 'c', seq: at(20), data: data.slice(20) },
    { from: 'c', seq: at(10), data: data.slice(10, 20) },
    { from: 'c', seq: at(0), data: data.slice(0, 12) }, // overlaps the held segment by 2 bytes
    { from: 'c', seq: at(5), data: data.slice(5, 9) }, // retransmission after the wrap
    { from: 's', seq: 0xffffff01, data: 'x'.repeat(300) }, // server data crossing the wrap in one piece
    { from: 's', seq: (0xffffff01 + 300) >>> 0, data: 'y' },
  ]);
  t.equal(at(20) < at(0), true, 'the test really crosses the wrap');
  h.asm.closeAll();
  t.equal(h.one.text(0), data);
  t.equal(h.one.text(1), 'x'.repeat(300) + 'y');
  t.equal(h.counters.get('reassembly.retransmit'), 1);
  t.equal(h.counters.get('reassembly.gap'), 0);
});

t.test('data carried by the SYN starts at ISN + 1', async (t) => {
  const h = new Harness();
  h.feed([
    { from: 'c', seq: 7000, flags: 0x02, data: 'hello ' },
    { from: 's', seq: 9000, ack: 7007, flags: 0x12 },
    { from: 'c', seq: 7007, data: 'world' },
    { from: 'c', seq: 7000, flags: 0x02, data: 'hello ' }, // retransmitted SYN: same ISN, nothing new
  ]);
  h.asm.closeAll();
  t.equal(h.one.text(0), 'hello world');
  t.equal(h.factory.consumers.length, 1, 'a retransmitted SYN does not start a new connection');
});

t.test('views are only used during the call (buffers are poisoned afterwards)', async (t) => {
  const h = new Harness();
  h.feed([...handshake(), { from: 'c', seq: 1005, data: 'held' }, { from: 'c', seq: 1001, data: 'now!' }]);
  h.asm.closeAll();
  t.equal(h.one.text(0), 'now!held', 'held data was copied, in-order data delivered during the call');
});
