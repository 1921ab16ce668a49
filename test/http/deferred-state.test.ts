/**
 * HttpStreamFactory builds a connection's HTTP state (parsers, pairing queue) on its first data or gap,
 * not when the TCP connection opens, and drops it at close (factory.ts). httpStatesOpen counts them.
 */
import t from 'tap';
import { HttpStreamFactory } from '../../src/http/factory.js';
import type { HttpExchange } from '../../src/http/types.js';
import { Counters } from '../../src/util/counters.js';
import { connInfo } from './harness.js';

function factory(): { f: HttpStreamFactory; exchanges: HttpExchange[]; counters: Counters } {
  const exchanges: HttpExchange[] = [];
  const counters = new Counters();
  const f = new HttpStreamFactory({ onExchange: (ex) => exchanges.push(ex) }, { admit: () => true }, {}, counters);
  return { f, exchanges, counters };
}

t.test('a connection closed without data never gets HTTP state', async (t) => {
  const { f, exchanges, counters } = factory();
  const consumers = Array.from({ length: 1000 }, (_, i) => f.create(connInfo({ id: i + 1 })));
  t.equal(counters.get('http.connections'), 1000, 'each connection is counted');
  t.equal(f.httpStatesOpen, 0);
  for (const c of consumers) c.onClose('evicted', 1, 0);
  t.equal(f.httpStatesOpen, 0);
  t.same(exchanges, []);
});

t.test('the state is built on the first gap or data and released at close', async (t) => {
  const { f, exchanges } = factory();
  const a = f.create(connInfo({ id: 1 }));
  const b = f.create(connInfo({ id: 2, clientPort: 40001 }));
  a.onGap(0, 10, 1, 0);
  t.equal(f.httpStatesOpen, 1, 'a gap first');
  b.onData(0, Buffer.from('GET /b HTTP/1.1\r\n\r\n'), 1, 0);
  t.equal(f.httpStatesOpen, 2, 'data first');
  b.onData(1, Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'), 1, 0);
  t.same(exchanges.map((e) => [e.request.target, e.response?.status]), [['/b', 204]], 'the exchange comes out as before');
  a.onClose('fin', 2, 0);
  b.onClose('fin', 2, 0);
  t.equal(f.httpStatesOpen, 0);
  b.onClose('fin', 3, 0);
  t.equal(f.httpStatesOpen, 0, 'a second close changes nothing');
});

t.test('nothing after close builds state again', async (t) => {
  const { f, exchanges } = factory();
  const c = f.create(connInfo());
  c.onClose('rst', 1, 0);
  c.onData(0, Buffer.from('GET / HTTP/1.1\r\n\r\n'), 2, 0);
  c.onGap(1, 5, 2, 0);
  t.equal(f.httpStatesOpen, 0);
  t.same(exchanges, []);
});
