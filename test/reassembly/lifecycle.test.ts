/** How connections end: FIN, RST, idle timeout, port reuse, eviction, end of capture; consumer faults. */
import t from 'tap';
import {
  ACK, CLIENT, FIN, Harness, RST, SERVER, SYN, handshake, type Endpoint, type Seg,
} from './fixtures/harness.js';
import type { ConnectionInfo, StreamConsumer } from '../../src/reassembly/types.js';

t.test('FIN from both sides closes with fin once everything is delivered', async (t) => {
  const h = new Harness();
  h.feed([
    ...handshake(),
    { from: 'c', seq: 1001, data: 'req', flags: ACK | FIN },
    { from: 's', seq: 5001, data: 'resp' },
  ]);
  t.same(h.one.closes(), [], 'only the client has finished');
  h.feed([{ from: 's', seq: 5005, flags: ACK | FIN, ack: 1005 }]);
  t.same(h.one.closes(), ['fin'], 'both finished, nothing pending');
  t.equal(h.one.text(0), 'req');
  t.equal(h.one.text(1), 'resp');
  h.feed([{ from: 'c', seq: 1005, ack: 5006, flags: ACK }]);
  h.asm.closeAll();
  t.same(h.one.closes(), ['fin'], 'no second close: not for the last ACK, not at end of capture');
});

t.test('close happens at the second FIN when data was complete', async (t) => {
  const h = new Harness();
  h.feed([
    ...handshake(),
    { from: 'c', seq: 1001, data: 'req', flags: ACK | FIN },
  ]);
  t.same(h.one.closes(), []);
  h.feed([{ from: 's', seq: 5001, data: 'resp', flags: ACK | FIN }]);
  t.same(h.one.closes(), ['fin']);
  const last = h.one.events[h.one.events.length - 1];
  t.equal(last.kind, 'close', 'onClose is the last call');
  h.feed([{ from: 'c', seq: 1005, ack: 5006, flags: ACK }, { from: 's', seq: 5001, data: 'resp', flags: ACK | FIN }]);
  t.equal(h.counters.get('reassembly.after_close'), 2, 'stray packets after the close are ignored, counted');
  t.equal(h.factory.consumers.length, 1, 'and open no connection');
  t.equal(h.counters.get('reassembly.close_fin'), 1);
});

t.test('a FIN overtaking the last data segment waits for it', async (t) => {
  const h = new Harness();
  h.feed([
    ...handshake(),
    { from: 's', seq: 5001, flags: ACK | FIN },
    { from: 'c', seq: 1005, data: 'tail', flags: ACK | FIN },
    { from: 'c', seq: 1001, data: 'head' },
  ]);
  t.same(h.one.closes(), ['fin']);
  t.equal(h.one.text(0), 'headtail');
  t.equal(h.counters.get('reassembly.gap'), 0);
});

t.test('data after the FIN position is ignored and counted', async (t) => {
  const h = new Harness();
  h.feed([
    ...handshake(),
    { from: 'c', seq: 1010, data: 'beyond' }, // held, then cut by the FIN at 1005
    { from: 'c', seq: 1001, data: 'abcd', flags: ACK | FIN },
    { from: 'c', seq: 1005, data: 'more' },
  ]);
  h.asm.closeAll();
  t.equal(h.one.text(0), 'abcd');
  t.equal(h.counters.get('reassembly.data_after_fin'), 2);
  t.equal(h.asm.stats().bytesBuffered, 0);
});

t.test('a hole before a FIN the peer acknowledged is a capture loss: gap at once', async (t) => {
  const h = new Harness();
  h.feed([
    ...handshake(),
    { from: 'c', seq: 1001, data: 'ab' },
    // 1003-1006 never captured
    { from: 'c', seq: 1007, data: 'gh', flags: ACK | FIN },
  ]);
  t.same(h.one.gaps(), [], 'still waiting: a retransmission may come');
  h.feed([{ from: 's', seq: 5001, ack: 1010, flags: ACK }]);
  t.equal(h.one.text(0), 'ab[gap 4]gh');
  t.equal(h.counters.get('reassembly.gap_acked'), 1);
});

t.test('RST: held data is delivered after its gap, then close rst', async (t) => {
  const h = new Harness();
  h.feed([
    ...handshake(),
    { from: 'c', seq: 1001, data: 'ab' },
    { from: 'c', seq: 1006, data: 'fg' },
    { from: 's', seq: 5001, flags: RST },
  ]);
  t.equal(h.one.text(0), 'ab[gap 3]fg');
  t.same(h.one.closes(), ['rst']);
  h.feed([{ from: 'c', seq: 1008, data: 'zz' }, { from: 's', seq: 5001, flags: RST }]);
  t.equal(h.factory.consumers.length, 1, 'packets after RST do not reopen it');
  t.equal(h.asm.stats().connectionsOpen, 0);
  t.equal(h.asm.stats().connectionsLingering, 1);
  h.tick(11);
  t.equal(h.asm.stats().connectionsLingering, 0, 'the lingering entry goes after closedLingerSec');
});

t.test('idle timeout in packet time', async (t) => {
  const h = new Harness({ idleTimeoutSec: 30 });
  h.feed([...handshake(100), { from: 'c', seq: 1001, data: 'x', t: 101 }]);
  h.tick(130.5);
  t.same(h.one.closes(), [], 'not idle for 30 s yet');
  h.tick(132); // deadline 131, checked at most timeoutCheckIntervalSec (1 s) late
  t.same(h.one.closes(), ['timeout']);
  const close = h.one.events[h.one.events.length - 1];
  t.equal(close.tsSec, 132, 'closed at packet time');
  h.feed([{ from: 'c', seq: 1002, data: 'y', t: 132 }]);
  t.equal(h.factory.consumers.length, 2, 'a later packet opens a new (mid-stream) connection');
  t.equal(h.factory.consumers[1].info.midStream, true);
});

t.test('idle timeout after one FIN closes with fin', async (t) => {
  const h = new Harness({ idleTimeoutSec: 5 });
  h.feed([...handshake(0), { from: 'c', seq: 1001, data: 'x', flags: ACK | FIN, t: 1 }]);
  h.tick(7);
  t.same(h.one.closes(), ['fin']);
});

t.test('port reuse: a SYN with a new ISN after the close starts a new connection', async (t) => {
  const h = new Harness();
  h.feed([
    ...handshake(0),
    { from: 'c', seq: 1001, data: 'one', flags: ACK | FIN },
    { from: 's', seq: 5001, flags: ACK | FIN },
    { from: 'c', seq: 1000, flags: SYN, t: 1 }, // old SYN again: same ISN, ignored
    { from: 'c', seq: 88000, flags: SYN, t: 2 },
    { from: 's', seq: 99000, ack: 88001, flags: SYN | ACK, t: 2 },
    { from: 'c', seq: 88001, data: 'two', t: 2 },
  ]);
  t.equal(h.factory.consumers.length, 2);
  const [first, second] = h.factory.consumers;
  t.same(first.closes(), ['fin']);
  t.equal(first.text(0), 'one');
  t.equal(second.text(0), 'two');
  t.not(second.info.id, first.info.id);
  t.equal(second.info.midStream, false);
});

t.test('port reuse on a connection never seen closing: the old one is ended first', async (t) => {
  const h = new Harness();
  h.feed([
    ...handshake(0),
    { from: 'c', seq: 1005, data: 'held' },
    { from: 'c', seq: 424242, flags: SYN, t: 3 },
    { from: 'c', seq: 424243, data: 'new', t: 3 },
  ]);
  const [old, fresh] = h.factory.consumers;
  t.equal(old.text(0), '[gap 4]held', 'held data delivered after its gap');
  t.same(old.closes(), ['evicted']);
  t.equal(fresh.text(0), 'new');
  t.equal(h.counters.get('reassembly.port_reuse'), 1);
});

t.test('connection cap evicts the least recently active', async (t) => {
  const h = new Harness({ maxConnections: 3 });
  const client = (i: number): Endpoint => ({ ip: CLIENT.ip, port: 50000 + i });
  const first = (i: number): Seg => ({ from: 'c', seq: 1, data: `c${i}`, t: i });
  for (let i = 0; i < 3; i++) h.feed([first(i)], client(i), SERVER);
  h.feed([{ from: 'c', seq: 3, data: '!', t: 3 }], client(0), SERVER); // 0 is now the most recent
  h.feed([first(4)], client(4), SERVER);
  h.feed([first(5)], client(5), SERVER);
  const byPort = new Map(h.factory.consumers.map((c) => [c.info.clientPort, c]));
  t.same(byPort.get(50001)!.closes(), ['evicted']);
  t.same(byPort.get(50002)!.closes(), ['evicted']);
  t.same(byPort.get(50000)!.closes(), [], 'recently active connection kept');
  t.equal(h.counters.get('reassembly.evicted'), 2);
  t.equal(h.asm.stats().connectionsOpen, 3);
  h.asm.closeAll();
  t.equal(byPort.get(50000)!.text(0), 'c0!');
  t.same(byPort.get(50005)!.closes(), ['end']);
});

t.test('many connections: eviction keeps the table at its cap', async (t) => {
  const h = new Harness({ maxConnections: 100 });
  for (let i = 0; i < 1000; i++) {
    const c: Endpoint = { ip: [10, 1, (i >> 8) & 255, i & 255], port: 1024 + i };
    h.feed([{ from: 'c', seq: i, data: 'x', t: i / 1000 }], c, SERVER);
    if (h.asm.stats().connectionsOpen > 100) t.fail(`open connections above the cap at ${i}`);
  }
  t.equal(h.asm.stats().connectionsOpen, 100);
  t.equal(h.counters.get('reassembly.evicted'), 900);
  h.asm.closeAll();
  const reasons = h.factory.consumers.map((c) => c.closes().join());
  t.equal(reasons.filter((r) => r === 'evicted').length, 900);
  t.equal(reasons.filter((r) => r === 'end').length, 100);
  t.ok(h.factory.consumers.slice(900).every((c) => c.closes()[0] === 'end'), 'the newest survive');
});

t.test('a throwing consumer is counted and does not stop the assembler', async (t) => {
  let created = 0;
  const factory = {
    create(info: ConnectionInfo): StreamConsumer {
      created++;
      if (info.clientPort === 40001) throw new Error('factory fault');
      return {
        onData() { throw new Error('data fault'); },
        onGap() { throw new Error('gap fault'); },
        onClose() { throw new Error('close fault'); },
      };
    },
  };
  const h = new Harness({}, factory);
  h.feed([...handshake(), { from: 'c', seq: 1003, data: 'b' }, { from: 'c', seq: 1001, data: 'aa' }]);
  h.feed([{ from: 'c', seq: 1, data: 'x' }], { ip: CLIENT.ip, port: 40001 }, SERVER);
  h.asm.closeAll();
  t.equal(created, 2);
  // data x2 (in-order 'aa' then held 'b') + close, and the factory fault
  t.equal(h.counters.get('reassembly.consumer_error'), 4);
  t.equal(h.counters.get('reassembly.internal_error'), 0);
  t.equal(h.asm.stats().connectionsOpen, 0);
});

t.test('closeAll flushes held data after its gaps and closes with end', async (t) => {
  const h = new Harness();
  h.feed([
    ...handshake(),
    { from: 'c', seq: 1004, data: 'de' },
    { from: 's', seq: 5003, data: 'cd', flags: ACK | FIN },
  ]);
  h.asm.closeAll();
  t.equal(h.one.text(0), '[gap 3]de');
  t.equal(h.one.text(1), '[gap 2]cd');
  t.same(h.one.closes(), ['end']);
  t.same(h.asm.stats(), { ...h.asm.stats(), connectionsOpen: 0, bytesBuffered: 0, segmentsBuffered: 0 });
});
