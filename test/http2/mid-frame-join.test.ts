// A capture that begins inside a frame (docs/http2.md "Detection"): the recorded HTTP/2 captures cut at
// many packets that begin inside a DATA frame (or another frame's body), in both directions, then run through
// `pcap-sensor apidump` as one capture (each cut on client ports of its own). The connection must be taken
// as HTTP/2 at a later packet that begins a frame, and every stream whose request and response header
// blocks lie after the first frame-aligned packet of their direction must be reported with the :method,
// :path and :status the clients and servers logged (<name>.expected.json). Which streams those are comes
// from the capture's bytes (frame-map.ts), not from the sensor. Nothing reported may contradict the log.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finalStats, runSensor, STACK_LINE, REPO_ROOT } from '../util/sensor-run.js';
import { writePcapFile, type PcapRecord } from '../util/pcap-file.js';
import { parseTcp } from '../../fixtures/rewrite-tcp.js';
import { mapCapture, frameAt, type ConnectionMap, type PacketAt } from './frame-map.js';

const DIR = join(REPO_ROOT, 'fixtures', 'captures-h2');
const work = mkdtempSync(join(tmpdir(), 'pcs-h2-join-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
/** Cut points per fixture and direction (evenly spread over the packets that begin inside a frame). */
const CUTS_PER_DIRECTION = 8;
const HEADERS = 1, DATA = 0;

interface Logged { client_port: number; stream_id: number | null; method: string; path: string; status: number }
interface Cut { fixture: string; at: PacketAt; ports: Map<number, number>; want: Array<Logged & { port: number }>; joined: Set<number> }

/** Client ports given to the cuts' connections, so that every cut's connections are distinct. */
let nextPort = 20000;
const movedPorts = (ports: Iterable<number>): Map<number, number> => new Map([...ports].map((port) => [port, nextPort++]));

/** Rewrites the TCP client port of a frame (checksums are not verified by the sensor). */
function withPort(linkType: number, data: Buffer, ports: Map<number, number>): Buffer {
  const v = parseTcp(linkType, data);
  if (v === null) return data;
  const from = ports.has(v.srcPort) ? v.srcPort : v.dstPort;
  const to = ports.get(from);
  if (to === undefined) return data;
  const b = Buffer.from(data);
  b.writeUInt16BE(to, v.srcPort === from ? v.tcpOff : v.tcpOff + 2);
  return b;
}

/**
 * The streams of connection `c` that a join at packet `cut` must report: both header blocks begin at or
 * after the first packet of their direction (from the cut on) that begins at a frame boundary.
 */
function reportable(c: ConnectionMap, packets: PacketAt[], cutPos: number, logged: Logged[]): Logged[] {
  const sync = [0, 1].map((dir) => packets.slice(cutPos).find((p) => p.clientPort === c.clientPort && p.dir === dir
    && c.frames[dir].some((f) => f.off === p.off))?.off ?? Infinity);
  const firstHeaders = (dir: 0 | 1, sid: number): number => c.frames[dir].find((f) => f.type === HEADERS && f.sid === sid)?.off ?? -1;
  return logged.filter((e) => e.client_port === c.clientPort && e.stream_id !== null
    && firstHeaders(0, e.stream_id) >= sync[0] && firstHeaders(1, e.stream_id) >= sync[1]);
}

const cuts: Cut[] = [];
const records: PcapRecord[] = [];
let linkType = 1;
let nano = false;
let shiftSec = 0;
for (const name of ['h2-node', 'h2-nghttp', 'h2-curl', 'grpc']) {
  const logged: Logged[] = JSON.parse(readFileSync(join(DIR, `${name}.expected.json`), 'utf8')).exchanges;
  const m = mapCapture(join(DIR, `${name}.pcap`));
  linkType = m.file.linkType;
  nano = m.file.nano;
  // packets that begin inside a frame, DATA first: the case the first-data detection cannot see
  const inside = m.packets.map((p, pos) => ({ p, pos, f: frameAt(m.connections.get(p.clientPort)!.frames[p.dir], p.off) }))
    .filter((x) => x.f !== undefined && x.p.off > x.f.off)
    .sort((a, b) => Number(b.f!.type === DATA) - Number(a.f!.type === DATA) || a.pos - b.pos);
  for (const dir of [0, 1]) {
    const ofDir = inside.filter((x) => x.p.dir === dir && x.f!.type === DATA);
    const pool = ofDir.length > 0 ? ofDir : inside.filter((x) => x.p.dir === dir);
    const picks = new Set(Array.from({ length: Math.min(CUTS_PER_DIRECTION, pool.length) }, (_, k) => pool[Math.floor((k * pool.length) / Math.min(CUTS_PER_DIRECTION, pool.length))]));
    for (const { p, pos } of picks) {
      const open = [...m.connections.values()].filter((c) => m.packets.slice(0, pos).some((q) => q.clientPort === c.clientPort));
      const ports = movedPorts(m.connections.keys());
      const want = open.flatMap((c) => reportable(c, m.packets, pos, logged).map((e) => ({ ...e, port: ports.get(c.clientPort)! })));
      cuts.push({ fixture: name, at: p, ports, want, joined: new Set(open.map((c) => ports.get(c.clientPort)!)) });
      const slice = m.file.records.slice(p.index);
      const t0 = slice[0].tsSec;
      for (const r of slice) records.push({ ...r, tsSec: r.tsSec - t0 + 1_700_000_000 + shiftSec, data: withPort(linkType, r.data, ports) });
      shiftSec = records[records.length - 1].tsSec - 1_700_000_000 + 120;
    }
  }
}

t.test('captures cut inside frames: later streams reported as logged', async (t) => {
  t.ok(cuts.filter((c) => c.at.dir === 0).length >= 8 && cuts.filter((c) => c.at.dir === 1).length >= 8, `${cuts.length} cut points, both directions`);
  t.ok(cuts.reduce((n, c) => n + c.want.length, 0) >= 40, `${cuts.reduce((n, c) => n + c.want.length, 0)} streams to report after the cuts`);
  const pcap = join(work, 'cuts.pcap');
  writePcapFile(pcap, { linkType, nano, records });
  const res = await runSensor(['apidump', '--pcap', pcap, '--rate-limit', '0'], { withOut: true, timeoutMs: 300_000 });
  t.equal(res.code, 0, 'exit 0');
  t.notMatch(res.stderr + res.stdout, STACK_LINE, 'no stack trace');
  const s = finalStats(res) ?? {};
  t.comment(`counters: ${JSON.stringify(Object.fromEntries(Object.entries(s).filter(([k]) => /http2\.(mid_stream|bytes_discarded|connections|hpack_unknown)|http\.bytes_discarded/.test(k))))}`);
  t.ok((s['http2.mid_stream_join'] ?? 0) >= cuts.filter((c) => c.want.length > 0).length, `joined inside a frame: http2.mid_stream_join = ${s['http2.mid_stream_join']}`);
  t.ok((s['http.bytes_discarded.mid_stream'] ?? 0) > 0, 'the bytes before the join are counted as discarded');
  for (const c of cuts) {
    const ports = new Set(c.ports.values());
    const got = res.records.filter((r) => ports.has(r.client.port));
    const label = `${c.fixture} cut at packet ${c.at.index} (${c.at.dir === 0 ? 'client' : 'server'} bytes, offset ${c.at.off})`;
    const missing = c.want.filter((e) => !got.some((r) => r.client.port === e.port && r.stream_id === e.stream_id
      && r.request.method === e.method && r.request.target === e.path && r.response?.status === e.status));
    t.same(missing.map((e) => `${e.stream_id} ${e.method} ${e.path} ${e.status}`), [], `${label}: ${c.want.length} later streams reported as logged`);
    // nothing contradicts the log: a reported method / path / status is the logged one of that stream
    const logged = JSON.parse(readFileSync(join(DIR, `${c.fixture}.expected.json`), 'utf8')).exchanges as Logged[];
    const back = new Map([...c.ports].map(([orig, moved]) => [moved, orig]));
    const wrong = got.filter((r) => {
      const e = logged.find((l) => l.client_port === back.get(r.client.port) && l.stream_id === r.stream_id);
      if (e === undefined) return r.request.method !== '' || r.response?.status !== undefined;
      return (r.request.method !== '' && (r.request.method !== e.method || r.request.target !== e.path))
        || (r.response && r.response.status !== e.status);
    });
    t.same(wrong.map((r) => `${r.stream_id} ${r.request.method} ${r.request.target} ${r.response?.status}`), [], `${label}: nothing reported that was not logged`);
    t.ok(got.every((r) => !c.joined.has(r.client.port) || r.flags.includes('mid_stream')), `${label}: the streams of the connections cut are flagged mid_stream`);
  }
});

// HTTP/1 captures cut inside a message: the later chunks are checked for an HTTP/2 frame start until HTTP/1
// finds a message; none may be taken for HTTP/2, and the requests reported are requests that were sent.
t.test('HTTP/1 captures cut inside a message stay HTTP/1', async (t) => {
  const h1: PcapRecord[] = [];
  let h1Link = 1, h1Nano = false, shift = 0, n = 0;
  const sent = new Map<number, Set<string>>();
  const h1Dir = join(REPO_ROOT, 'fixtures', 'captures');
  for (const f of ['concurrent', 'curl-variety', 'nginx', 'node-keepalive', 'pipelining', 'python-http10']) {
    const m = mapCapture(join(h1Dir, `${f}.pcap`));
    h1Link = m.file.linkType;
    h1Nano = m.file.nano;
    const logged = JSON.parse(readFileSync(join(h1Dir, `${f}.expected.json`), 'utf8')).exchanges as Array<{ client_port: number; method: string; target: string }>;
    const inside = m.packets.filter((p) => {
      const r = m.file.records[p.index];
      const v = parseTcp(m.file.linkType, r.data)!; // mapped packets are TCP with payload
      return !/^(HTTP\/|[A-Z]+ )/.test(r.data.toString('latin1', v.payloadOff, v.payloadOff + 8));
    });
    for (let k = 0; k < Math.min(6, inside.length); k++) {
      const p = inside[Math.floor((k * inside.length) / Math.min(6, inside.length))];
      n++;
      const ports = movedPorts(m.connections.keys());
      for (const [orig, moved] of ports) sent.set(moved, new Set(logged.filter((e) => e.client_port === orig).map((e) => `${e.method} ${e.target}`)));
      const slice = m.file.records.slice(p.index);
      for (const r of slice) h1.push({ ...r, tsSec: r.tsSec - slice[0].tsSec + 1_700_000_000 + shift, data: withPort(h1Link, r.data, ports) });
      shift = h1[h1.length - 1].tsSec - 1_700_000_000 + 120;
    }
  }
  t.ok(n >= 20, `${n} HTTP/1 cut points inside messages`);
  const pcap = join(work, 'h1-cuts.pcap');
  writePcapFile(pcap, { linkType: h1Link, nano: h1Nano, records: h1 });
  const res = await runSensor(['apidump', '--pcap', pcap, '--rate-limit', '0'], { withOut: true, timeoutMs: 300_000 });
  t.equal(res.code, 0, 'exit 0');
  const s = finalStats(res) ?? {};
  t.equal(s['http2.connections'] ?? 0, 0, 'no connection taken for HTTP/2');
  t.equal(s['http2.mid_stream_join'] ?? 0, 0, 'no join');
  t.ok(res.records.length > 50, `${res.records.length} HTTP/1 exchanges reported`);
  const invented = res.records.filter((r) => r.request.method !== '' && !sent.get(r.client.port)?.has(`${r.request.method} ${r.request.target}`));
  t.same(invented.map((r) => `${r.client.port} ${r.request.method} ${r.request.target}`), [], 'every request reported was sent');
});
