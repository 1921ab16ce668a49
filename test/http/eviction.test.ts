/**
 * Connections evicted at the assembler's connection cap come back mid-stream. The sensor must never
 * report more requests than were sent: not a request twice (a retransmitted segment after the eviction),
 * not a request line found inside a body. A request cut by the eviction is reported once, flagged.
 */
import t from 'tap';
import { ACK, FIN, Harness, SYN, type Endpoint, type Seg } from '../reassembly/fixtures/harness.js';
import { HttpStreamFactory } from '../../src/http/factory.js';
import type { HttpExchange } from '../../src/http/types.js';
import { Counters } from '../../src/util/counters.js';

const SERVER: Endpoint = { ip: [10, 0, 0, 2], port: 80 };
const DAMAGE = ['gap', 'interrupted', 'no_response', 'parse_error'];

/** One keep-alive connection: a POST whose body holds request-like lines, then a GET; duplicates after each. */
const BODY = '{"note":"x"}\r\nGET /inner HTTP/1.1\r\nHost: evil\r\n\r\n' + 'y'.repeat(40) + '\r\nPOST /inner2 HTTP/1.1\r\n\r\n';

function script(): Seg[] {
  const body = BODY;
  const head = `POST /upload HTTP/1.1\r\nHost: api\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`;
  const first = head + body.slice(0, 20);
  const second = body.slice(20);
  const get = 'GET /second HTTP/1.1\r\nHost: api\r\n\r\n';
  const res1 = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  const res2 = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes';
  let c = 1001;
  const s0 = 5001;
  const segs: Seg[] = [
    { from: 'c', seq: 1000, flags: SYN },
    { from: 's', seq: 5000, ack: 1001, flags: SYN | ACK },
    { from: 'c', seq: 1001, ack: 5001, flags: ACK },
    { from: 'c', seq: c, data: first },
    { from: 'c', seq: c + first.length, data: second },
    { from: 'c', seq: c, data: first }, // retransmission after the connection was evicted
    { from: 's', seq: s0, data: res1 },
  ];
  c += first.length + second.length;
  segs.push({ from: 'c', seq: c, data: get }, { from: 'c', seq: c, data: get }, { from: 's', seq: s0 + res1.length, data: res2 });
  c += get.length;
  segs.push({ from: 'c', seq: c, flags: ACK | FIN }, { from: 's', seq: s0 + res1.length + res2.length, flags: ACK | FIN, ack: c + 1 });
  return segs;
}

function runInterleaved(connections: number, maxConnections: number): { exchanges: HttpExchange[]; counters: Counters } {
  const exchanges: HttpExchange[] = [];
  const counters = new Counters();
  const factory = new HttpStreamFactory({ onExchange: (ex) => exchanges.push(ex) }, { admit: () => true }, {}, counters);
  const h = new Harness({ maxConnections }, factory);
  const segs = script();
  // round robin: each packet of one connection evicts the least recently active one (the next in turn)
  for (let k = 0; k < segs.length; k++) {
    for (let i = 0; i < connections; i++) {
      const client: Endpoint = { ip: [10, 0, 0, 1], port: 40001 + i };
      h.feed([{ ...segs[k], t: k }], client, SERVER);
    }
  }
  h.asm.closeAll();
  for (const [k, v] of Object.entries(h.counters.snapshot())) counters.set(k, v);
  return { exchanges, counters };
}

t.test('evicted connections returning mid-stream invent no request', async (t) => {
  const { exchanges, counters } = runInterleaved(3, 2);
  t.ok(counters.get('reassembly.evicted') > 0, 'the cap evicts connections');
  const targets = exchanges.map((e) => e.request.target).sort();
  t.same(targets, ['/second', '/second', '/second', '/upload', '/upload', '/upload'],
    'each request reported once, none taken from a body, none repeated from a retransmission');
  t.ok(counters.get('http.requests') <= 6, 'no more requests counted than sent');
  for (const e of exchanges) {
    const exact = e.response !== null && e.request.body.length === (e.request.target === '/upload' ? BODY.length : 0);
    if (!exact) t.ok(e.flags.some((f) => DAMAGE.includes(f)), `damaged exchange is flagged: ${e.request.target} ${e.flags.join(',')}`);
  }
});

t.test('without eviction the same traffic is reported exactly', async (t) => {
  const { exchanges, counters } = runInterleaved(3, 100);
  t.equal(counters.get('reassembly.evicted'), 0);
  t.equal(exchanges.length, 6);
  for (const e of exchanges) {
    t.same(e.flags.filter((f) => DAMAGE.includes(f)), [], `no damage on ${e.request.target}`);
    t.ok(e.response !== null && e.response.status === 200);
  }
  t.same(exchanges.filter((e) => e.request.target === '/upload').map((e) => e.request.body.length), [BODY.length, BODY.length, BODY.length]);
});
