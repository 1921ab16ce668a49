// Traffic seen only in part, through the whole program (bin/pcap-sensor apidump --pcap ... --out):
// - recorded captures cut at packets inside request and response bodies (connections picked up mid-stream):
//   every exchange whose request starts after the cut is reported, with its response, and none is invented;
// - recorded captures filtered to one direction: client -> server, every request is reported without response
//   (`no_response`, `one_sided`); server -> client, nothing is emitted and the responses are counted;
// - CONNECT tunnels written with the test pcap writer: cleartext HTTP inside is parsed (`tunneled`), TLS is
//   ignored and counted, and a 101 upgrade stays ignored even when its bytes look like HTTP.
// Behaviour: docs/http.md ("Mid-stream", "One direction only", "Upgrade / tunnel").
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { finalStats, runSensor, REPO_ROOT, STACK_LINE } from '../util/sensor-run.js';
import { readPcapFile, writePcapFile, type PcapFile } from '../util/pcap-file.js';
import { PcapWriter } from '../util/pcap-writer.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from '../util/packet-builder.js';
import { parseTcp } from '../../fixtures/rewrite-tcp.js';

const CAPTURES = join(REPO_ROOT, 'fixtures', 'captures');
const work = mkdtempSync(join(tmpdir(), 'pcs-partial-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

interface Expected {
  client_port: number; server_port: number; order_on_connection: number; method: string; target: string;
  status: number | null; informational: number[];
}

/**
 * Response heads a server -> client capture shows the stage: final and 1xx, per connection up to the answer
 * to a HEAD request, whose announced body is not sent: without the request it is read as a body and takes
 * the responses after it (docs/http.md, "One direction only").
 */
function countableResponses(expected: Expected[]): number {
  let n = 0;
  const headAnswered = new Set<number>();
  for (const e of [...expected].sort((a, b) => a.order_on_connection - b.order_on_connection)) {
    if (headAnswered.has(e.client_port) || e.status === null) continue;
    n += 1 + e.informational.length;
    if (e.method === 'HEAD') headAnswered.add(e.client_port);
  }
  return n;
}

async function sensor(path: string): Promise<{ records: any[]; stats: Record<string, number> }> {
  const res = await runSensor(['apidump', '--pcap', path, '--rate-limit', '0'], { withOut: true, timeoutMs: 120_000 });
  const stats = finalStats(res);
  if (res.code !== 0 || STACK_LINE.test(res.stderr) || stats === null) throw new Error(`sensor failed on ${path}: ${res.stderr}`);
  return { records: res.records, stats };
}

function write(name: string, file: PcapFile, records: PcapFile['records']): string {
  const path = join(work, `${name}.pcap`);
  writePcapFile(path, { linkType: file.linkType, nano: file.nano, records });
  return path;
}

const text = (e: { method: string; target: string; status: number | null }) => `${e.method} ${e.target} ${e.status}`;
const observed = (r: any) => text({ method: r.request.method, target: r.request.target, status: r.response ? r.response.status : null });

/** Index of the packet holding the first byte of each expected request (request lines found in order per client port). */
function requestPackets(file: PcapFile, expected: Expected[]): number[] {
  const at = expected.map(() => -1);
  const count = new Map<number, number>();
  file.records.forEach((r, i) => {
    const v = parseTcp(file.linkType, r.data);
    if (v === null || v.payloadLen === 0 || v.dstPort !== expected[0].server_port) return;
    const payload = r.data.toString('latin1', v.payloadOff, v.payloadOff + v.payloadLen);
    let from = 0;
    for (;;) {
      const n = (count.get(v.srcPort) ?? 0) + 1;
      const j = expected.findIndex((e) => e.client_port === v.srcPort && e.order_on_connection === n);
      const pos = j < 0 ? -1 : payload.indexOf(`${expected[j].method} ${expected[j].target} `, from);
      if (pos < 0) break;
      count.set(v.srcPort, n);
      at[j] = i;
      from = pos + 1;
    }
  });
  return at;
}

/** Packets inside bodies: server payload not starting a status line, client payload not starting a request line. */
function cutsInsideBodies(file: PcapFile, serverPort: number): { response: number[]; request: number[] } {
  const response: number[] = [];
  const request: number[] = [];
  file.records.forEach((r, i) => {
    const v = parseTcp(file.linkType, r.data);
    if (v === null || v.payloadLen === 0) return;
    const head = r.data.toString('latin1', v.payloadOff, v.payloadOff + Math.min(8, v.payloadLen));
    if (v.srcPort === serverPort && !head.startsWith('HTTP/1.')) response.push(i);
    if (v.dstPort === serverPort && !/^[A-Z]+ /.test(head)) request.push(i);
  });
  return { response, request };
}

for (const name of ['node-keepalive', 'pipelining', 'curl-variety']) {
  const file = readPcapFile(join(CAPTURES, `${name}.pcap`));
  const expected: Expected[] = JSON.parse(readFileSync(join(CAPTURES, `${name}.expected.json`), 'utf8')).exchanges;
  const serverPort = expected[0].server_port;

  t.test(`${name}: picked up mid-stream inside bodies, nothing after the first message start is lost`, async (t) => {
    const starts = requestPackets(file, expected);
    t.notOk(starts.includes(-1), 'every expected request is found in the capture');
    const inside = cutsInsideBodies(file, serverPort);
    const cuts = [...inside.response.slice(0, 2), ...inside.request.slice(0, 2)];
    t.ok(inside.response.length > 0, 'the capture has a response body packet to cut at');
    for (const cut of cuts) {
      const { records } = await sensor(write(`${name}-cut-${cut}`, file, file.records.slice(cut)));
      const want = expected.filter((_e, j) => starts[j] >= cut).map(text).sort();
      t.same(records.map(observed).sort(), want, `cut at packet ${cut}: the exchanges whose request follows the cut`);
      for (const r of records) {
        const damage = r.flags.filter((f: string) => ['interrupted', 'no_response', 'parse_error', 'gap'].includes(f));
        t.same(damage, [], `cut at packet ${cut}: ${observed(r)} undamaged`);
      }
    }
  });

  t.test(`${name}: one direction only`, async (t) => {
    const toServer = file.records.filter((r) => parseTcp(file.linkType, r.data)?.dstPort === serverPort);
    const requests = await sensor(write(`${name}-c2s`, file, toServer));
    t.same(requests.records.map((r) => `${r.request.method} ${r.request.target}`).sort(),
      expected.map((e) => `${e.method} ${e.target}`).sort(), 'client -> server: every request is reported');
    for (const r of requests.records) t.same(r.flags.filter((f: string) => f !== 'mid_stream').sort(), ['no_response', 'one_sided']);

    const toClient = file.records.filter((r) => parseTcp(file.linkType, r.data)?.srcPort === serverPort);
    const responses = await sensor(write(`${name}-s2c`, file, toClient));
    t.same(responses.records, [], 'server -> client: no exchange without its request');
    t.equal(responses.stats['http.response_without_request'], countableResponses(expected),
      'server -> client: every response head is counted');
  });
}

const CLIENT = (10 << 24) | 7;
const PROXY = (10 << 24) | 9;

/** One connection (handshake, the given flights, FINs) written with the test pcap writer. */
function connection(path: string, flights: Array<[0 | 1, string]>): string {
  const w = new PcapWriter(path, 1_800_000_000);
  const seq = [1000, 5000];
  const ip = [CLIENT, PROXY];
  const port = [40000, 8080];
  let ns = 0;
  const send = (d: 0 | 1, flags: number, payload: Buffer | null) => {
    const o = 1 - d;
    w.tcp((ns += 1_000_000), ip[d], ip[o], port[d], port[o], seq[d], seq[o], flags, payload);
    seq[d] += payload?.length ?? 0;
  };
  send(0, TCP_SYN, null);
  seq[0]++;
  w.tcp((ns += 1_000_000), PROXY, CLIENT, 8080, 40000, seq[1], seq[0], TCP_SYN | TCP_ACK, null);
  seq[1]++;
  for (const [d, s] of flights) send(d, TCP_PSH | TCP_ACK, Buffer.from(s, 'latin1'));
  send(0, TCP_FIN | TCP_ACK, null);
  seq[0]++;
  send(1, TCP_FIN | TCP_ACK, null);
  w.close();
  return path;
}

const CONNECT = 'CONNECT api.internal:80 HTTP/1.1\r\nHost: api.internal:80\r\n\r\n';
const ESTABLISHED = 'HTTP/1.1 200 Connection established\r\n\r\n';

t.test('CONNECT tunnels: cleartext HTTP inside is parsed and flagged tunneled; TLS and 101 upgrades are ignored', async (t) => {
  const http = await sensor(connection(join(work, 'tunnel-http.pcap'), [
    [0, CONNECT], [1, ESTABLISHED], [0, 'GET /inside HTTP/1.1\r\nHost: api.internal\r\n\r\n'],
    [1, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'],
  ]));
  t.same(http.records.map((r) => [observed(r), r.flags]), [
    ['CONNECT api.internal:80 200', ['upgraded']], ['GET /inside 200', ['tunneled']],
  ]);
  t.equal(http.stats['http.upgraded'], 1);

  const tls = '\x16\x03\x01\x00\x2a' + 'x'.repeat(42);
  const opaque = await sensor(connection(join(work, 'tunnel-tls.pcap'), [[0, CONNECT], [1, ESTABLISHED], [0, tls], [1, '\x16\x03\x03\x00\x01y']]));
  t.same(opaque.records.map((r) => [observed(r), r.flags]), [['CONNECT api.internal:80 200', ['upgraded']]]);
  t.equal(opaque.stats['http.bytes_after_upgrade'], tls.length + 6, 'the tunnel\'s bytes are counted, not parsed');

  const ws = await sensor(connection(join(work, 'upgrade-101.pcap'), [
    [0, 'GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'],
    [1, 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'],
    [0, 'GET /looks-like-http HTTP/1.1\r\n\r\n'],
  ]));
  t.same(ws.records.map((r) => [observed(r), r.flags]), [['GET /ws 101', ['upgraded']]]);
});
