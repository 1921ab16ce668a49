// gRPC messages with the compressed flag through the whole program (`apidump --pcap` on a synthetic h2c
// capture): with `grpc-encoding` gzip or deflate each compressed message is reported decompressed, flag
// cleared and length rewritten, in the length-prefixed stream of the body (docs/http2.md, "gRPC"); a
// message that cannot be decoded is kept as sent and the exchange flagged `decode_error`; one in an
// encoding the sensor does not decode (snappy) is kept as sent and flagged `unknown_encoding`.
import t from 'tap';
import { deflateSync, deflateRawSync, gzipSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finalStats, runSensor, STACK_LINE } from '../util/sensor-run.js';
import { makePrng } from '../util/prng.js';
import { PREFACE, dataFrames, headers, grpcMessages, writeH2Capture } from './h2-capture.js';

const work = mkdtempSync(join(tmpdir(), 'pcs-h2-grpcz-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

/** DATA frames of at most 16 KiB for `body`; END_STREAM on the last when `end`. */
const data = (sid: number, body: Buffer, end: boolean): Buffer => Buffer.concat(dataFrames(sid, body, end));

const plain = (s: string): Buffer => Buffer.from(s, 'latin1');
/** A protobuf-like message: a length-delimited field 1 holding `text`. */
const msg = (text: string): Buffer => Buffer.concat([Buffer.from([0x0a, text.length & 0x7f]), plain(text)]);
const BIG = Buffer.from('item-0123456789;'.repeat(4000)); // 64 000 bytes, spans DATA frames compressed or not

interface Call { path: string; reqEncoding: string | null; req: Array<[number, Buffer]>; resEncoding: string | null; res: Array<[number, Buffer]> }

function call(sid: number, c: Call): { client: Buffer; server: Buffer } {
  const reqFields: Array<[string, string]> = [[':method', 'POST'], [':scheme', 'http'], [':path', c.path],
    [':authority', 'svc:8080'], ['content-type', 'application/grpc'], ['te', 'trailers']];
  if (c.reqEncoding !== null) reqFields.push(['grpc-encoding', c.reqEncoding]);
  const resFields: Array<[string, string]> = [[':status', '200'], ['content-type', 'application/grpc']];
  if (c.resEncoding !== null) resFields.push(['grpc-encoding', c.resEncoding]);
  return {
    client: Buffer.concat([headers(sid, reqFields), data(sid, grpcMessages(c.req), true)]),
    server: Buffer.concat([headers(sid, resFields), data(sid, grpcMessages(c.res), false), headers(sid, [['grpc-status', '0']], true)]),
  };
}

const CALLS: Call[] = [
  { path: '/svc.Items/Get', reqEncoding: 'gzip', req: [[1, gzipSync(msg('id=42'))]],
    resEncoding: 'gzip', res: [[1, gzipSync(msg('name=widget'))], [0, msg('plain-one')], [1, gzipSync(BIG)]] },
  { path: '/svc.Items/Upload', reqEncoding: 'gzip', req: [[0, BIG], [1, gzipSync(BIG)]], resEncoding: null, res: [[0, msg('ok')]] },
  { path: '/svc.Items/Deflate', reqEncoding: 'deflate', req: [[1, deflateSync(msg('id=7'))], [1, deflateSync(BIG)]],
    resEncoding: 'Deflate', res: [[1, deflateSync(msg('name=gadget'))], [1, deflateSync(Buffer.alloc(0))], [1, deflateRawSync(msg('raw'))]] },
  { path: '/svc.Items/Corrupt', reqEncoding: 'gzip', req: [[1, plain('not gzip at all')]], resEncoding: null, res: [[0, msg('ok')]] },
  { path: '/svc.Items/NoEncoding', reqEncoding: null, req: [[1, gzipSync(msg('x'))]], resEncoding: null, res: [[0, msg('ok')]] },
  { path: '/svc.Items/Snappy', reqEncoding: 'snappy', req: [[1, plain('\x05\x10hello')]], resEncoding: 'identity', res: [[0, msg('ok')]] },
];

/** The messages the sensor decodes: gzip, and deflate (zlib-wrapped as gRPC sends it, or raw). */
function inflate(encoding: string | null, m: Buffer): Buffer {
  if (encoding === 'gzip') return gunzipSync(m);
  if (encoding === 'deflate') return m[0] === 0x78 ? inflateSync(m) : inflateRawSync(m);
  throw new Error(`${encoding} not decoded`);
}

/** What the body must hold: each decodable compressed message replaced by its decoded bytes, flag 0. */
function expected(msgs: Array<[number, Buffer]>, encoding: string | null): Buffer {
  return grpcMessages(msgs.map(([flag, m]) => {
    if (flag === 0) return [flag, m];
    try {
      return [0, inflate(encoding?.toLowerCase() ?? null, m)];
    } catch {
      return [flag, m];
    }
  }));
}

t.test('compressed gRPC messages are reported decoded', async (t) => {
  const pcap = join(work, 'grpc-gzip.pcap');
  const streams = CALLS.map((c, i) => call(2 * i + 1, c));
  writeH2Capture(pcap, [[
    { dir: 0, data: Buffer.concat([PREFACE, ...streams.map((s) => s.client)]) },
    { dir: 1, data: Buffer.concat(streams.map((s) => s.server)) },
  ]]);
  const res = await runSensor(['apidump', '--pcap', pcap, '--rate-limit', '0'], { withOut: true, timeoutMs: 120_000 });
  t.equal(res.code, 0, 'exit 0');
  t.notMatch(res.stderr, STACK_LINE, 'no stack trace');
  t.equal(res.records.length, CALLS.length, 'one exchange per call');
  const stats = finalStats(res) ?? {};
  t.equal(stats['http2.grpc_undecoded'], 2, 'one undecoded message each in /Corrupt and /NoEncoding');
  t.equal(stats['http2.grpc_unknown_encoding'], 1, 'the snappy message');
  t.equal(stats['http2.grpc_budget_exhausted'] ?? 0, 0, 'every held message fitted in the body budget');
  const byPath = new Map(res.records.map((r) => [r.request.path as string, r]));
  for (const c of CALLS) {
    const r = byPath.get(c.path);
    t.ok(r, `${c.path} reported`);
    if (r === undefined) continue;
    const reqBody = Buffer.from(r.request.body.base64, 'base64');
    const resBody = Buffer.from(r.response.body.base64, 'base64');
    t.same(reqBody, expected(c.req, c.reqEncoding), `${c.path}: request body`);
    t.same(resBody, expected(c.res, c.resEncoding), `${c.path}: response body`);
    t.equal(r.request.body.length, reqBody.length, `${c.path}: request length counts the decoded stream`);
    t.same([r.grpc?.request_messages, r.grpc?.response_messages], [c.req.length, c.res.length], `${c.path}: messages counted`);
    t.equal(r.grpc?.status, 0, `${c.path}: grpc-status`);
    const undecodable = c.path.endsWith('/Corrupt') || c.path.endsWith('/NoEncoding');
    t.equal((r.flags as string[]).includes('decode_error'), undecodable, `${c.path}: decode_error ${undecodable ? '' : 'not '}flagged`);
    const unknown = c.reqEncoding === 'snappy';
    t.equal((r.flags as string[]).includes('unknown_encoding'), unknown, `${c.path}: unknown_encoding ${unknown ? '' : 'not '}flagged`);
  }
  // the decoded stream is what a reader of the body sees: the first message of /Get's response
  const get = Buffer.from(byPath.get('/svc.Items/Get')?.response.body.base64 ?? '', 'base64');
  t.equal(get[0], 0, 'compressed flag cleared');
  t.equal(get.subarray(5, 5 + get.readUInt32BE(1)).toString('latin1'), msg('name=widget').toString('latin1'), 'decoded message in place');
});

t.test('a compressed message above --max-http-length is kept as sent, flagged decode_error', async (t) => {
  const pcap = join(work, 'grpc-gzip-cap.pcap');
  const rand = makePrng(11);
  const random = Buffer.from(Array.from({ length: 6000 }, () => Math.floor(rand() * 256))); // does not compress
  const big = gzipSync(random);
  t.ok(big.length > 2000, 'the compressed message is above the cap used');
  const s = call(1, { path: '/svc.Items/Big', reqEncoding: 'gzip', req: [[1, big]], resEncoding: 'gzip', res: [[1, gzipSync(msg('small'))]] });
  writeH2Capture(pcap, [[{ dir: 0, data: Buffer.concat([PREFACE, s.client]) }, { dir: 1, data: s.server }]]);
  const res = await runSensor(['apidump', '--pcap', pcap, '--rate-limit', '0', '--log-level', 'warn', '--max-http-length', '2000'], { withOut: true, timeoutMs: 120_000 });
  t.equal(res.code, 0, 'exit 0');
  const r = res.records[0];
  t.ok(r, 'the exchange is reported');
  if (r === undefined) return;
  t.ok((r.flags as string[]).includes('decode_error'), 'decode_error');
  t.ok((r.flags as string[]).includes('truncated'), 'truncated at --max-http-length');
  const reqBody = Buffer.from(r.request.body.base64, 'base64');
  t.same(reqBody, grpcMessages([[1, big]]).subarray(0, 2000), 'the message as sent, up to the cap');
  t.same(Buffer.from(r.response.body.base64, 'base64'), grpcMessages([[0, msg('small')]]), 'the other direction is decoded');
});
