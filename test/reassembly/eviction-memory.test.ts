/** A connection evicted at the cap resumes where it stopped when it comes back (evicted-flows.ts). */
import t from 'tap';
import { ACK, Harness, SYN, handshake, type Endpoint } from './fixtures/harness.js';

const A: Endpoint = { ip: [10, 0, 0, 1], port: 40001 };
const B: Endpoint = { ip: [10, 0, 0, 1], port: 40002 };
const SERVER: Endpoint = { ip: [10, 0, 0, 2], port: 80 };

t.test('evicted then back: roles kept, delivered bytes not delivered again', async (t) => {
  const h = new Harness({ maxConnections: 1 });
  h.feed([...handshake(), { from: 'c', seq: 1001, data: 'first' }, { from: 's', seq: 5001, data: 'resp' }], A, SERVER);
  h.feed(handshake(), B, SERVER); // evicts A
  t.equal(h.counters.get('reassembly.evicted'), 1);
  // A comes back with a retransmission of 'first' from the server side first, then new data
  h.feed([{ from: 's', seq: 5001, data: 'resp' }, { from: 'c', seq: 1001, data: 'first' }, { from: 'c', seq: 1006, data: 'second' }], A, SERVER);
  const again = h.factory.consumers[2];
  t.equal(again.info.clientPort, 40001, 'the client is still the client');
  t.equal(again.info.midStream, true);
  t.equal(again.info.rolesGuessed, false, 'roles come from the evicted connection');
  t.equal(again.text(0), 'second', 'only bytes after what the evicted connection delivered');
  t.equal(again.text(1), '', 'the server retransmission is not delivered again');
  t.equal(h.counters.get('reassembly.evicted_resumed'), 1);
  t.ok(h.counters.get('reassembly.retransmit') >= 2);
});

t.test('a SYN on the 4-tuple of an evicted flow starts fresh', async (t) => {
  const h = new Harness({ maxConnections: 1 });
  h.feed([...handshake(), { from: 'c', seq: 1001, data: 'x' }], A, SERVER);
  h.feed(handshake(), B, SERVER);
  h.feed([{ from: 'c', seq: 7000, flags: SYN }, { from: 's', seq: 9000, ack: 7001, flags: SYN | ACK }, { from: 'c', seq: 7001, data: 'new' }], A, SERVER);
  const fresh = h.factory.consumers[2];
  t.equal(fresh.info.midStream, false);
  t.equal(fresh.text(0), 'new');
  t.equal(h.counters.get('reassembly.evicted_resumed'), 0);
});

t.test('the memory is capped at maxConnections records, oldest forgotten', async (t) => {
  const h = new Harness({ maxConnections: 2 });
  for (let i = 0; i < 6; i++) h.feed([{ from: 'c', seq: 100, data: 'a' }], { ip: [10, 0, 0, 1], port: 41000 + i }, SERVER);
  t.equal(h.counters.get('reassembly.evicted'), 4);
  t.equal(h.counters.get('reassembly.evicted_forgotten'), 2, '4 evicted, 2 remembered');
});
