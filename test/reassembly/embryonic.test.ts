/**
 * Eviction order: connections that never carried payload (SYN only, handshake only) are evicted
 * before connections that did, lowest stage first (unanswered SYN, SYN-ACK seen, handshake done), and
 * have their own cap (maxEmbryonicConnections).
 */
import t from 'tap';
import { ACK, Harness, SERVER, SYN, handshake, type Endpoint, type Seg } from './fixtures/harness.js';

const LIVE: Endpoint = { ip: [10, 0, 0, 1], port: 40001 };
const flooder = (i: number): Endpoint => ({ ip: [172, 16, (i >> 8) & 255, i & 255], port: 1024 + (i % 60000) });
const syn = (t: number): Seg => ({ from: 'c', seq: 777, flags: SYN, t });

/** A keep-alive connection with one exchange done, then idle. */
function liveExchange(h: Harness, t = 0): void {
  h.feed([
    ...handshake(t),
    { from: 'c', seq: 1001, data: 'GET / HTTP/1.1\r\n\r\n', t },
    { from: 's', seq: 5001, data: 'HTTP/1.1 204 No\r\n\r\n', t },
  ], LIVE, SERVER);
}

t.test('a SYN flood far over maxConnections does not evict an idle established connection', async (t) => {
  const h = new Harness({ maxConnections: 50, maxEmbryonicConnections: 20 });
  liveExchange(h);
  for (let i = 0; i < 5000; i++) h.feed([syn(1 + i / 1000)], flooder(i), SERVER);
  const live = h.factory.consumers[0];
  t.same(live.closes(), [], 'the live connection is still open');
  t.equal(h.counters.get('reassembly.evicted'), 0, 'no established connection evicted');
  t.equal(h.counters.get('reassembly.evicted_embryonic'), 5000 - 20, 'every SYN beyond the embryonic cap evicts one');
  const s = h.asm.stats();
  t.equal(s.connectionsEmbryonic, 20);
  t.equal(s.connectionsOpen, 21);
  // the live connection carries on in place: same consumer, not mid-stream
  h.feed([{ from: 'c', seq: 1019, data: 'GET /2 HTTP/1.1\r\n\r\n', t: 7 }], LIVE, SERVER);
  t.equal(h.factory.consumers.filter((c) => c.info.clientPort === LIVE.port).length, 1, 'no new connection for its next request');
  t.equal(live.text(0), 'GET / HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n');
  t.equal(live.info.midStream, false);
});

t.test('a flood of answered SYNs evicts its entries before an idle handshake-only connection', async (t) => {
  const h = new Harness({ maxConnections: 50, maxEmbryonicConnections: 10 });
  h.feed(handshake(0), LIVE, SERVER); // SYN, SYN-ACK, ACK: handshaken, no payload yet
  for (let i = 0; i < 2000; i++) {
    const tt = 1 + i / 1000;
    h.feed([syn(tt), { from: 's', seq: 9000, ack: 778, flags: SYN | ACK, t: tt }], flooder(i), SERVER);
  }
  t.same(h.factory.consumers[0].closes(), [], 'the handshake-only connection survives');
  t.equal(h.counters.get('reassembly.evicted_embryonic'), 2000 - 9, 'the embryonic cap holds 9 half-open + 1 handshaken');
  h.feed([{ from: 'c', seq: 1001, data: 'GET / HTTP/1.1\r\n\r\n', t: 5 }], LIVE, SERVER);
  t.equal(h.factory.consumers[0].text(0), 'GET / HTTP/1.1\r\n\r\n', 'its first request arrives on the same connection');
  t.equal(h.factory.consumers[0].info.midStream, false);
  t.equal(h.counters.get('reassembly.evicted_forgotten'), 0, 'half-open victims leave no eviction records');
});

t.test('an unanswered SYN flood evicts before a connection whose SYN was answered', async (t) => {
  const h = new Harness({ maxEmbryonicConnections: 4 });
  h.feed(handshake(0).slice(0, 2), LIVE, SERVER); // SYN, SYN-ACK: the last ACK rides on the first request later
  for (let i = 0; i < 500; i++) h.feed([syn(1 + i / 1000)], flooder(i), SERVER);
  t.same(h.factory.consumers[0].closes(), [], 'the answered connection survives');
  t.equal(h.counters.get('reassembly.evicted_embryonic'), 500 - 3);
  h.feed([{ from: 'c', seq: 1001, ack: 5001, data: 'GET / HTTP/1.1\r\n\r\n', t: 2 }], LIVE, SERVER);
  t.equal(h.factory.consumers[0].text(0), 'GET / HTTP/1.1\r\n\r\n');
  t.equal(h.factory.consumers.filter((c) => c.info.clientPort === LIVE.port).length, 1);
});

t.test('with only handshake-only and established connections, handshake-only ones go first', async (t) => {
  const h = new Harness({ maxConnections: 3 });
  const a: Endpoint = { ip: [10, 0, 0, 1], port: 41001 };
  h.feed([{ from: 'c', seq: 1, data: 'a', t: 0 }], a, SERVER);
  h.feed(handshake(1), flooder(0), SERVER);
  h.feed(handshake(2), flooder(1), SERVER);
  h.feed([syn(3)], flooder(2), SERVER); // full: the oldest handshaken goes, not the older established one
  const byPort = new Map(h.factory.consumers.map((c) => [c.info.clientPort, c]));
  t.same(byPort.get(41001)!.closes(), []);
  t.same(byPort.get(flooder(0).port)!.closes(), ['evicted']);
  t.same(byPort.get(flooder(1).port)!.closes(), []);
  t.equal(h.counters.get('reassembly.evicted_embryonic'), 1);
  t.equal(h.counters.get('reassembly.evicted'), 0);
});

t.test('the embryonic cap evicts the least recently active embryonic connection', async (t) => {
  const h = new Harness({ maxEmbryonicConnections: 3 });
  for (let i = 0; i < 3; i++) h.feed([syn(i)], flooder(i), SERVER);
  h.feed([syn(3)], flooder(0), SERVER); // a retransmitted SYN: 0 is now the most recent
  h.feed([syn(4)], flooder(3), SERVER);
  const byPort = new Map(h.factory.consumers.map((c) => [c.info.clientPort, c]));
  t.same(byPort.get(flooder(1).port)!.closes(), ['evicted'], 'the least recently active goes');
  t.same(byPort.get(flooder(0).port)!.closes(), [], 'the retransmitted one stays');
  t.equal(h.counters.get('reassembly.evicted_embryonic'), 1);
  t.equal(h.counters.get('reassembly.close_evicted'), 1);
  t.equal(h.asm.stats().connectionsEmbryonic, 3);
});

t.test('established connections are evicted only when no embryonic one is left', async (t) => {
  const h = new Harness({ maxConnections: 3 });
  const a: Endpoint = { ip: [10, 0, 0, 1], port: 41001 };
  const b: Endpoint = { ip: [10, 0, 0, 1], port: 41002 };
  h.feed([{ from: 'c', seq: 1, data: 'a', t: 0 }], a, SERVER);
  h.feed([{ from: 'c', seq: 1, data: 'b', t: 1 }], b, SERVER);
  h.feed([syn(2)], flooder(0), SERVER);
  // full (3). A new data connection evicts the embryonic one although it is the most recent
  h.feed([{ from: 'c', seq: 1, data: 'c', t: 3 }], flooder(1), SERVER);
  t.equal(h.counters.get('reassembly.evicted_embryonic'), 1);
  t.equal(h.counters.get('reassembly.evicted'), 0);
  // full of established connections: the least recently active one (a) goes
  h.feed([syn(4)], flooder(2), SERVER);
  t.equal(h.counters.get('reassembly.evicted'), 1);
  const byPort = new Map(h.factory.consumers.map((c) => [c.info.clientPort, c]));
  t.same(byPort.get(41001)!.closes(), ['evicted']);
  t.same(byPort.get(41002)!.closes(), []);
  t.equal(h.asm.stats().connectionsOpen, 3);
});

t.test('a handshake-only connection becomes established with its first payload', async (t) => {
  const h = new Harness({ maxConnections: 10, maxEmbryonicConnections: 2 });
  h.feed(handshake(0), LIVE, SERVER);
  t.equal(h.asm.stats().connectionsEmbryonic, 1);
  h.feed([{ from: 'c', seq: 1001, data: 'hello', t: 1 }], LIVE, SERVER);
  t.equal(h.asm.stats().connectionsEmbryonic, 0, 'payload moves it out of the embryonic list');
  for (let i = 0; i < 100; i++) h.feed([syn(2 + i)], flooder(i), SERVER);
  t.same(h.factory.consumers[0].closes(), [], 'not evicted by the flood');
  t.equal(h.counters.get('reassembly.evicted'), 0);
  t.equal(h.counters.get('reassembly.evicted_embryonic'), 98);
});

t.test('an evicted handshake-only connection resumes when its data comes; a SYN-only one is not remembered', async (t) => {
  const h = new Harness({ maxEmbryonicConnections: 1 });
  h.feed(handshake(0), LIVE, SERVER);
  h.feed([syn(1)], flooder(0), SERVER); // evicts LIVE (handshake seen: remembered)
  h.feed([syn(2)], flooder(1), SERVER); // evicts flooder 0 (SYN only: not remembered)
  t.equal(h.counters.get('reassembly.evicted_embryonic'), 2);
  h.feed([{ from: 's', seq: 5001, data: 'late', t: 3 }, { from: 'c', seq: 1001, data: 'req', t: 3 }], LIVE, SERVER);
  const back = h.factory.consumers[3];
  t.equal(back.info.clientPort, LIVE.port, 'the client is still the client');
  t.equal(back.info.rolesGuessed, false, 'roles come from the evicted handshake');
  t.equal(h.counters.get('reassembly.evicted_resumed'), 1);
  t.equal(back.text(0), 'req');
  t.equal(back.text(1), 'late');
  h.feed([{ from: 's', seq: 90, data: 'x', t: 4 }], flooder(0), SERVER);
  t.equal(h.counters.get('reassembly.evicted_resumed'), 1, 'the SYN-only flow left no record');
  t.equal(h.factory.consumers[4].info.rolesGuessed, true);
});

t.test('idle embryonic connections time out', async (t) => {
  const h = new Harness({ idleTimeoutSec: 5 });
  h.feed([syn(0)], flooder(0), SERVER);
  h.feed([{ from: 'c', seq: 1, data: 'x', t: 0 }], LIVE, SERVER);
  h.tick(6);
  t.same(h.factory.consumers.map((c) => c.closes()), [['timeout'], ['timeout']]);
  t.equal(h.asm.stats().connectionsOpen, 0);
  t.equal(h.asm.stats().connectionsEmbryonic, 0);
});

t.test('closeAll closes embryonic connections with end', async (t) => {
  const h = new Harness();
  h.feed([syn(0), { from: 's', seq: 9, ack: 778, flags: SYN | ACK, t: 0 }], flooder(0), SERVER);
  h.feed([{ from: 'c', seq: 778, flags: ACK, t: 0 }], flooder(0), SERVER);
  h.asm.closeAll();
  t.same(h.one.closes(), ['end']);
  t.equal(h.asm.stats().connectionsOpen, 0);
});
