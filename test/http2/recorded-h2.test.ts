// The whole program on recorded HTTP/2 cleartext traffic (fixtures/captures-h2, recorded by
// fixtures/record-h2/record-h2.sh): `pcap-sensor apidump` must report exactly the exchanges the clients and
// servers logged (<name>.expected.json), and agree with tshark's HTTP/2 dissector on each stream's
// :method / :path / :status. The servers and clients: Node's http2, curl, Python h2 (h2c upgrade), grpc-js,
// and nghttp2's nghttpd / nghttp (h2-nghttp: PRIORITY-only idle streams, many streams on one connection,
// flow-controlled bodies both ways, extra request header fields; h2c-nghttp: `nghttp -u` upgrades).
// Compressed gRPC (grpc-compressed*: gzip and deflate, grpc-js and grpcio): each reported body must hold the
// messages both sides logged after decompression (SHA-256), and each message the length tshark's grpc
// dissector decompressed it to.
import t, { type Test } from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { finalStats, runSensor, REPO_ROOT } from '../util/sensor-run.js';
import { readPcapFile, writePcapFile } from '../util/pcap-file.js';
import { rewritePackets } from '../../fixtures/rewrite.js';

const DIR = join(REPO_ROOT, 'fixtures', 'captures-h2');
const work = mkdtempSync(join(tmpdir(), 'pcs-h2-rec-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const names = readdirSync(DIR).filter((f) => f.endsWith('.pcap')).map((f) => f.slice(0, -5)).sort();

interface Expected {
  client_port: number; server_port: number; stream_id: number | null; method: string; path: string;
  authority: string | null; scheme: string | null; request_body_length: number; status: number;
  response_body_length: number; response_encoding: string | null; reset: boolean; trailers: string[]; upgraded: boolean;
  request_headers?: [string, string][];
  grpc_status?: number; grpc_message?: string | null; grpc_request_messages?: number; grpc_response_messages?: number;
  /** Compressed gRPC captures: SHA-256 of each direction's messages after decompression, framed with flag 0. */
  request_sha256?: string; response_sha256?: string;
}

const sha256 = (body: { base64?: string | null } | undefined): string =>
  createHash('sha256').update(Buffer.from(body?.base64 ?? '', 'base64')).digest('hex');

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const unxml = (v: string): string => v.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * tshark's view (its http2 dissector, PDML output; `upgrade`: the connections start as HTTP/1.1): `clientPort#streamId` -> the first value of each
 * pseudo-header field it decoded on that stream.
 */
function tsharkStreams(pcap: string, port: number, upgrade: boolean): Map<string, Record<string, string>> {
  // an h2c upgrade starts as HTTP/1.1: tshark's http dissector follows the 101 into http2 itself
  const as = upgrade ? 'http' : 'http2';
  const pdml = execFileSync('tshark', ['-r', pcap, '-d', `tcp.port==${port},${as}`, '-Y', 'http2.header', '-T', 'pdml'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024 });
  const m = new Map<string, Record<string, string>>();
  for (const packet of pdml.split('<packet>').slice(1)) {
    const src = /name="tcp.srcport"[^>]* show="(\d+)"/.exec(packet)?.[1];
    const dst = /name="tcp.dstport"[^>]* show="(\d+)"/.exec(packet)?.[1];
    const client = Number(src) === port ? dst : src;
    for (const frame of packet.split('<field name="http2.stream"').slice(1)) {
      const sid = /name="http2.streamid"[^>]* show="(\d+)"/.exec(frame)?.[1];
      const rec = m.get(`${client}#${sid}`) ?? {};
      const re = /name="http2.header.name"[^>]* show="([^"]*)"[\s\S]*?name="http2.header.value"[^>]* show="([^"]*)"/g;
      for (let f = re.exec(frame); f !== null; f = re.exec(frame)) {
        const n = unxml(f[1]);
        if (n.startsWith(':') && rec[n] === undefined) rec[n] = unxml(f[2]);
      }
      m.set(`${client}#${sid}`, rec);
    }
  }
  return m;
}

/** A gRPC message as tshark's grpc dissector read it: the wire's compressed flag, its size once decompressed. */
interface SeenMessage { compressed: boolean; size: number }

/** tshark's gRPC messages, by `clientPort path Request|Response`, in order (PDML; gzip and deflate decompressed). */
function tsharkGrpc(pcap: string, port: number): Map<string, SeenMessage[]> {
  const pdml = execFileSync('tshark', ['-r', pcap, '-d', `tcp.port==${port},http2`, '-Y', 'grpc', '-T', 'pdml'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1024 * 1024 * 1024 });
  const m = new Map<string, SeenMessage[]>();
  for (const packet of pdml.split('<packet>').slice(1)) {
    const src = /name="tcp.srcport"[^>]* show="(\d+)"/.exec(packet)?.[1];
    const dst = /name="tcp.dstport"[^>]* show="(\d+)"/.exec(packet)?.[1];
    const client = Number(src) === port ? dst : src;
    for (const p of packet.split('<proto name="grpc" ').slice(1)) {
      const head = /^showname="GRPC Message: ([^,"]*), (Request|Response)"/.exec(p);
      const size = /name="grpc.message_data"[^>]* size="(\d+)"/.exec(p)?.[1];
      if (head === null || size === undefined || p.includes('grpc.body_decompression_failed')) continue;
      const key = `${client} ${unxml(head[1])} ${head[2]}`;
      const list = m.get(key) ?? [];
      list.push({ compressed: /name="grpc.compressed_flag"[^>]* show="1"/.test(p), size: Number(size) });
      m.set(key, list);
    }
  }
  return m;
}

/** [flag, length] of each length-prefixed message of a reported gRPC body. */
function bodyMessages(body: { base64?: string | null } | undefined): Array<[number, number]> {
  const b = Buffer.from(body?.base64 ?? '', 'base64');
  const out: Array<[number, number]> = [];
  for (let at = 0; at + 5 <= b.length; at += 5 + b.readUInt32BE(at + 1)) out.push([b[at], b.readUInt32BE(at + 1)]);
  return out;
}

t.ok(names.length >= 5, `${names.length} HTTP/2 captures`);

/** Runs the sensor on `pcap` and checks its records against what was logged; returns the records. */
async function exact(t: Test, pcap: string, expected: Expected[]): Promise<any[]> {
    const res = await runSensor(['apidump', '--pcap', pcap, '--rate-limit', '0', '--log-level', 'warn'], { withOut: true, timeoutMs: 120_000 });
    t.equal(res.code, 0, 'exit 0');
    const got = res.records;
    t.equal(got.length, expected.length, 'one exchange per stream');
    for (const r of got) {
      t.equal(r.request.version, r.flags.includes('upgraded') ? '1.1' : '2', 'request version (HTTP/1.1 for an h2c upgrade)');
      t.equal(r.response?.version, '2');
      t.type(r.stream_id, 'number', 'stream id present');
    }
    for (const e of expected) {
      const r = got.find((g) => g.client.port === e.client_port && (e.stream_id === null ? g.request.target === e.path : g.stream_id === e.stream_id));
      t.ok(r, `${e.method} ${e.path} (stream ${e.stream_id ?? '?'}) reported`);
      if (!r) continue;
      t.same({
        method: r.request.method, path: r.request.target, scheme: r.request.scheme,
        request_body_length: r.request.body.length, status: r.response?.status,
        response_body_length: r.response?.body.length, response_encoding: r.response?.body.encoding ?? null,
        reset: r.flags.includes('reset'), server_port: r.server.port,
      }, {
        method: e.method, path: e.path, scheme: e.scheme, request_body_length: e.request_body_length, status: e.status,
        response_body_length: e.response_body_length, response_encoding: e.response_encoding, reset: e.reset,
        server_port: e.server_port,
      }, `${e.path}: as logged`);
      if (e.authority !== null) t.equal(r.request.host, e.authority, 'authority as host');
      const requestFields = (r.request.headers ?? []).map((h: [string, string]) => `${h[0]}: ${h[1]}`);
      for (const [n, v] of e.request_headers ?? []) t.ok(requestFields.includes(`${n}: ${v}`), `request field ${n}: ${v}`);
      const headerNames = (r.response?.headers ?? []).map((h: [string, string]) => h[0]);
      for (const tr of e.trailers) t.ok(headerNames.includes(tr), `trailer ${tr} in the response headers`);
      t.equal(r.flags.includes('upgraded'), e.upgraded, 'upgraded when the request asked for h2c');
      if (e.upgraded) t.same(r.response?.informational, [101], 'the 101 before the HTTP/2 response');
      const damage = r.flags.filter((f: string) => f !== 'reset' && f !== 'upgraded');
      t.same(damage, [], 'no other flag');
      if (e.grpc_status !== undefined) {
        t.equal(r.grpc?.status, e.grpc_status, 'grpc-status');
        t.equal(r.grpc?.request_messages, e.grpc_request_messages, 'gRPC request messages');
        t.equal(r.grpc?.response_messages, e.grpc_response_messages, 'gRPC response messages');
        if (e.grpc_message) t.equal(r.grpc?.message, e.grpc_message, 'grpc-message (percent-decoded)');
      }
      if (e.request_sha256 !== undefined) {
        t.equal(sha256(r.request.body), e.request_sha256, 'request messages as the server decompressed them');
        t.equal(sha256(r.response?.body), e.response_sha256, 'response messages as the client decompressed them');
      }
    }
    return got;
}

for (const name of names) {
  t.test(name, async (t) => {
    const pcap = join(DIR, `${name}.pcap`);
    const expected: Expected[] = JSON.parse(readFileSync(join(DIR, `${name}.expected.json`), 'utf8')).exchanges;
    const got = await exact(t, pcap, expected);
    // the same traffic cut into other segments (frames and frame headers split anywhere, overlapping
    // re-sends, duplicates, reordering inside a flight): the same exchanges
    for (const seed of [1, 2]) {
      const file = readPcapFile(pcap);
      const { records } = rewritePackets(file.linkType, file.records, { seed, reorderWindow: 6, duplicateProbability: 0.1, splitProbability: 0.5, maxOverlap: 40 });
      const variant = join(work, `${name}-${seed}.pcap`);
      writePcapFile(variant, { ...file, records });
      await t.test(`rewritten, seed ${seed}`, async (t) => { await exact(t, variant, expected); });
    }
    if (!hasTshark()) {
      t.comment('tshark not installed: cross-check skipped');
      return;
    }
    const ts = tsharkStreams(pcap, expected[0].server_port, expected.some((e) => e.upgraded));
    let compared = 0;
    for (const r of got) {
      const seen = ts.get(`${r.client.port}#${r.stream_id}`);
      if (seen === undefined) continue;
      if (seen[':method'] !== undefined) {
        t.equal(r.request.method, seen[':method'], `tshark :method of stream ${r.stream_id}`);
        t.equal(r.request.target, seen[':path'], `tshark :path of stream ${r.stream_id}`);
        compared++;
      }
      if (seen[':status'] !== undefined) {
        t.equal(String(r.response?.status), seen[':status'], `tshark :status of stream ${r.stream_id}`);
        compared++;
      }
    }
    t.ok(compared >= Math.min(got.length, 3), `tshark agreed on ${compared} request / response heads`);
    if (!got.some((r) => r.grpc)) return;
    // gRPC: every message tshark saw is in the body, in order, decompressed (flag 0) to the size tshark found
    const seen = tsharkGrpc(pcap, expected[0].server_port);
    const wireCompressed = { Request: 0, Response: 0 };
    for (const r of got) {
      for (const dir of ['Request', 'Response'] as const) {
        const msgs = seen.get(`${r.client.port} ${r.request.target} ${dir}`) ?? [];
        const body = dir === 'Request' ? r.request.body : r.response?.body;
        t.equal(dir === 'Request' ? r.grpc.request_messages : r.grpc.response_messages, msgs.length, `${r.request.target} ${dir}: messages as tshark counted`);
        t.same(bodyMessages(body), msgs.map((m) => [0, m.size]), `${r.request.target} ${dir}: each message decompressed to tshark's size`);
        wireCompressed[dir] += msgs.filter((m) => m.compressed).length;
      }
    }
    t.comment(`compressed on the wire: ${wireCompressed.Request} request, ${wireCompressed.Response} response messages`);
    if (name.startsWith('grpc-compressed')) t.ok(wireCompressed.Request > 0, 'the capture carries compressed request messages');
    if (name === 'grpc-compressed-py') t.ok(wireCompressed.Response > 0, 'the capture carries compressed response messages');
  });
}

t.test('joined late: the capture starts inside the HTTP/2 connection (no SYN, no preface)', async (t) => {
  const file = readPcapFile(join(DIR, 'h2-node.pcap'));
  const expected: Expected[] = JSON.parse(readFileSync(join(DIR, 'h2-node.expected.json'), 'utf8')).exchanges;
  // from the first packet after the 20 concurrent GETs were answered: the POST's HEADERS start a fresh segment
  const cut = file.records.findIndex((r) => r.data.includes(Buffer.from('/upload')) || r.data.length > 1000);
  const late = join(work, 'late.pcap');
  writePcapFile(late, { ...file, records: file.records.slice(cut) });
  const res = await runSensor(['apidump', '--pcap', late, '--rate-limit', '0'], { withOut: true, timeoutMs: 120_000 });
  t.equal(res.code, 0, 'exit 0');
  t.equal(finalStats(res)?.['http2.connections'], 1, 'recognised as HTTP/2 from its frames');
  t.ok(res.records.length > 0 && res.records.every((r) => r.request.version === '2' && r.flags.includes('mid_stream')), 'streams reported, flagged mid_stream');
  t.ok(cut > 0, `cut at packet ${cut}, after the connection's start`);
  const later = expected.filter((e) => e.stream_id !== null && e.stream_id > 41);
  t.ok(later.length > 0, `${later.length} streams after the cut to check`);
  for (const e of later) {
    const r = res.records.find((g) => g.stream_id === e.stream_id);
    t.ok(r, `stream ${e.stream_id} (${e.path}) reported`);
    t.equal(r?.response?.status, e.status, `stream ${e.stream_id}: status`);
  }
});
