/** Who is the client, and where a stream starts when the handshake was not captured. */
import t from 'tap';
import { ACK, Harness, SYN, type Endpoint, type Seg } from './fixtures/harness.js';

interface Case {
  name: string;
  a: Endpoint;
  b: Endpoint;
  /** Segments from 'c' go a -> b, from 's' go b -> a. */
  segs: Seg[];
  clientIp: string;
  clientPort: number;
  serverPort: number;
  midStream: boolean;
  rolesGuessed: boolean;
  /** Text delivered client -> server and server -> client (by the decided roles). */
  toServer: string;
  toClient: string;
}

const A: Endpoint = { ip: [192, 168, 1, 10], port: 51234 };
const B: Endpoint = { ip: [192, 168, 1, 20], port: 8080 };
const LOW: Endpoint = { ip: [192, 168, 1, 30], port: 443 };
const SAME_A: Endpoint = { ip: [192, 168, 1, 10], port: 7000 };
const SAME_B: Endpoint = { ip: [192, 168, 1, 20], port: 7000 };

const cases: Case[] = [
  {
    name: 'SYN sender is the client even on a high port',
    a: B, b: A,
    segs: [{ from: 'c', seq: 10, flags: SYN }, { from: 'c', seq: 11, data: 'hi' }],
    clientIp: '192.168.1.20', clientPort: 8080, serverPort: 51234,
    midStream: false, rolesGuessed: false, toServer: 'hi', toClient: '',
  },
  {
    name: 'SYN-ACK sender is the server (SYN not captured); client data starts at its ack',
    a: A, b: B,
    segs: [
      { from: 's', seq: 900, ack: 101, flags: SYN | ACK },
      { from: 'c', seq: 101, data: 'req' },
      { from: 's', seq: 901, data: 'resp' },
    ],
    clientIp: '192.168.1.10', clientPort: 51234, serverPort: 8080,
    midStream: false, rolesGuessed: false, toServer: 'req', toClient: 'resp',
  },
  {
    name: 'mid-stream, first packet from the high port: lower port guessed as server',
    a: A, b: B,
    segs: [{ from: 'c', seq: 777, data: 'GET' }, { from: 's', seq: 3, data: 'HTTP' }, { from: 'c', seq: 780, data: ' /' }],
    clientIp: '192.168.1.10', clientPort: 51234, serverPort: 8080,
    midStream: true, rolesGuessed: true, toServer: 'GET /', toClient: 'HTTP',
  },
  {
    name: 'mid-stream, first packet from the low port: still the server',
    a: A, b: LOW,
    segs: [{ from: 's', seq: 50, data: 'resp' }, { from: 'c', seq: 60, data: 'req' }],
    clientIp: '192.168.1.10', clientPort: 51234, serverPort: 443,
    midStream: true, rolesGuessed: true, toServer: 'req', toClient: 'resp',
  },
  {
    name: 'mid-stream with equal ports: the first packet goes to the server',
    a: SAME_A, b: SAME_B,
    segs: [{ from: 'c', seq: 1, data: 'x' }, { from: 's', seq: 2, data: 'y' }],
    clientIp: '192.168.1.10', clientPort: 7000, serverPort: 7000,
    midStream: true, rolesGuessed: true, toServer: 'x', toClient: 'y',
  },
  {
    name: 'mid-stream: bytes before the first segment seen are dropped as already delivered',
    a: A, b: B,
    segs: [{ from: 'c', seq: 500, data: 'late' }, { from: 'c', seq: 496, data: 'xxxx' }, { from: 'c', seq: 504, data: '!' }],
    clientIp: '192.168.1.10', clientPort: 51234, serverPort: 8080,
    midStream: true, rolesGuessed: true, toServer: 'late!', toClient: '',
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const h = new Harness();
    h.feed(c.segs, c.a, c.b);
    h.asm.closeAll();
    const info = h.one.info;
    t.equal(info.clientIp, c.clientIp);
    t.equal(info.clientPort, c.clientPort);
    t.equal(info.serverPort, c.serverPort);
    t.equal(info.midStream, c.midStream);
    t.equal(info.rolesGuessed, c.rolesGuessed);
    t.equal(h.one.text(0), c.toServer);
    t.equal(h.one.text(1), c.toClient);
  });
}

t.test('a bare ACK does not open a connection; the first data does', async (t) => {
  const h = new Harness();
  h.feed([{ from: 'c', seq: 10, ack: 99, flags: ACK }, { from: 's', seq: 99, data: 'resp' }]);
  t.equal(h.factory.consumers.length, 1);
  t.equal(h.counters.get('reassembly.no_connection'), 1);
  h.asm.closeAll();
  t.equal(h.one.text(1), 'resp');
});

t.test('IPv6 addresses are formatted once per connection', async (t) => {
  const h = new Harness();
  const c6: Endpoint = { ip: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], port: 40000 };
  const s6: Endpoint = { ip: [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55], port: 80 };
  h.feed([{ from: 'c', seq: 1, flags: SYN }, { from: 'c', seq: 2, data: 'v6' }, { from: 's', seq: 9, data: 'ok' }], c6, s6);
  h.asm.closeAll();
  t.equal(h.one.info.clientIp, '2001:db8::1');
  t.equal(h.one.info.serverIp, 'fe80::211:22ff:fe33:4455');
  t.equal(h.one.text(0), 'v6');
  t.equal(h.one.text(1), 'ok');
});

t.test('an IPv4 and an IPv6 flow with the same ports stay apart', async (t) => {
  const h = new Harness();
  const v6a: Endpoint = { ip: new Array(16).fill(0).map((_, i) => (i === 15 ? 1 : 0)), port: 40000 };
  const v6b: Endpoint = { ip: new Array(16).fill(0).map((_, i) => (i === 15 ? 2 : 0)), port: 80 };
  h.feed([{ from: 'c', seq: 1, data: 'four' }]);
  h.feed([{ from: 'c', seq: 1, data: 'six' }], v6a, v6b);
  h.asm.closeAll();
  t.equal(h.factory.consumers.length, 2);
  t.same(h.factory.consumers.map((c) => c.text(0)), ['four', 'six']);
  t.equal(h.factory.consumers[1].info.clientIp, '::1');
});
