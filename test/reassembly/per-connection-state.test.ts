/**
 * What a connection costs before it carries payload: no out-of-order queue in the assembler
 * (stats().segmentQueues) and no HTTP state (HttpStreamFactory.httpStatesOpen), so a SYN flood costs
 * only the small connection record, bounded by maxEmbryonicConnections. Counted objects, not bytes
 * or time: deterministic.
 */
import t from 'tap';
import { ACK, Harness, SERVER, SYN, handshake, type Endpoint, type Seg } from './fixtures/harness.js';
import { HttpStreamFactory } from '../../src/http/factory.js';
import type { HttpExchange } from '../../src/http/types.js';
import { Counters } from '../../src/util/counters.js';
import { SEGMENT_OVERHEAD_BYTES } from '../../src/reassembly/options.js';

const LIVE: Endpoint = { ip: [10, 0, 0, 1], port: 40001 };
const flooder = (i: number): Endpoint => ({ ip: [172, 16, (i >> 8) & 255, i & 255], port: 1024 + (i % 60000) });
const syn = (t: number): Seg => ({ from: 'c', seq: 777, flags: SYN, t });

function httpHarness(options: ConstructorParameters<typeof Harness>[0]) {
  const exchanges: HttpExchange[] = [];
  const counters = new Counters();
  const http = new HttpStreamFactory({ onExchange: (ex) => exchanges.push(ex) }, { admit: () => true }, {}, counters);
  const h = new Harness(options, http);
  return { h, http, exchanges, counters };
}

t.test('a SYN flood builds no queue and no HTTP state; the live connection keeps flowing', async (t) => {
  const { h, http, exchanges, counters } = httpHarness({ maxConnections: 50, maxEmbryonicConnections: 20 });
  h.feed([...handshake(0), { from: 'c', seq: 1001, ack: 5001, data: 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\n', t: 0 }], LIVE, SERVER);
  t.equal(http.httpStatesOpen, 1, 'the connection that carried data has its HTTP state');
  for (let i = 0; i < 5000; i++) h.feed([syn(1 + i / 1000)], flooder(i), SERVER);
  const s = h.asm.stats();
  t.equal(s.connectionsEmbryonic, 20, 'the flood is bounded by maxEmbryonicConnections');
  t.equal(h.counters.get('reassembly.evicted_embryonic'), 5000 - 20);
  t.equal(http.httpStatesOpen, 1, 'no HTTP state for a connection without payload');
  t.equal(s.segmentQueues, 0, 'no out-of-order queue for a connection that never held data');
  t.equal(counters.get('http.connections'), 5001, 'every connection is still counted');
  h.feed([
    { from: 's', seq: 5001, ack: 1028, data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', t: 7 },
    { from: 'c', seq: 1028, ack: 5041, data: 'GET /2 HTTP/1.1\r\nHost: a\r\n\r\n', t: 7 },
    { from: 's', seq: 5041, ack: 1055, data: 'HTTP/1.1 204 No Content\r\n\r\n', t: 7 },
  ], LIVE, SERVER);
  t.same(exchanges.map((e) => [e.request.target, e.response?.status, e.flags]), [['/1', 200, []], ['/2', 204, []]],
    'the live connection is reported exactly during the flood');
  h.asm.closeAll();
  t.equal(http.httpStatesOpen, 0, 'closed connections release their HTTP state');
});

t.test('a handshake-only connection gets its HTTP state with its first payload', async (t) => {
  const { h, http, exchanges } = httpHarness({});
  h.feed(handshake(0), LIVE, SERVER);
  t.equal(http.httpStatesOpen, 0);
  h.feed([{ from: 'c', seq: 1001, ack: 5001, data: 'GET / HTTP/1.1\r\n\r\n', t: 1 }], LIVE, SERVER);
  t.equal(http.httpStatesOpen, 1);
  h.feed([{ from: 's', seq: 5001, ack: 1019, data: 'HTTP/1.1 204 No\r\n\r\n', t: 1 }], LIVE, SERVER);
  t.same(exchanges.map((e) => [e.request.target, e.response?.status]), [['/', 204]]);
  t.equal(exchanges[0].flags.length, 0);
});

t.test('a direction gets its own queue when it first holds data, and gives it up at close', async (t) => {
  const h = new Harness({});
  const other: Endpoint = { ip: [10, 0, 0, 3], port: 40003 };
  h.feed([...handshake(0), { from: 'c', seq: 1001, data: 'in order', t: 0 }]);
  t.equal(h.asm.stats().segmentQueues, 0, 'in-order data needs no queue');
  h.feed([{ from: 'c', seq: 1020, data: 'after a hole', t: 1 }]);
  t.equal(h.asm.stats().segmentQueues, 1, 'held data: one queue');
  h.feed([...handshake(1), { from: 's', seq: 5010, ack: 1001, data: 'held', t: 1 }], other, SERVER);
  t.equal(h.asm.stats().segmentQueues, 2, 'one per direction that holds data');
  h.feed([{ from: 'c', seq: 1009, data: 'filled the hole', flags: ACK, t: 2 }]);
  t.equal(h.asm.stats().bytesBuffered, 4 + SEGMENT_OVERHEAD_BYTES, 'the hole filled: only the other connection holds data');
  t.equal(h.asm.stats().segmentQueues, 2, 'the queue stays with the open connection');
  h.feed([{ from: 'c', seq: 1032, flags: 0x04, t: 3 }]); // RST
  t.equal(h.asm.stats().segmentQueues, 1, 'closed (RST): queue given up');
  h.asm.closeAll();
  t.equal(h.asm.stats().segmentQueues, 0, 'end of capture: none left');
  t.equal(h.factory.consumers[1].text(1), '[gap 9]held', 'the held data was delivered behind its gap at close');
});
