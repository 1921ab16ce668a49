// Header blocks through the whole program (`apidump --pcap` on a synthetic h2c capture): a block in one
// HEADERS frame with padding and priority fields, a block spread over HEADERS + CONTINUATION frames of
// growing sizes (some above a kilobyte, so the join grows as it goes), trailers in CONTINUATION frames, and
// request trailers. Each exchange must carry the fields encoded (bench's HPACK encoder), in order, the
// trailers appended after the head's fields (docs/http2.md, "Streams and exchanges").
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSensor, STACK_LINE } from '../util/sensor-run.js';
import { PREFACE, DATA, HEADERS, END_STREAM, END_HEADERS, frame, hpack, headers, writeH2Capture } from './h2-capture.js';

const work = mkdtempSync(join(tmpdir(), 'pcs-h2-blocks-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

const CONTINUATION = 9;
const PADDED = 0x8, PRIORITY = 0x20;
type Fields = Array<[string, string]>;

/** A HEADERS payload with a pad length, the priority fields (exclusive bit, dependency, weight) and `pad` bytes of padding. */
function paddedPriority(fragment: Buffer, pad: number): Buffer {
  return Buffer.concat([Buffer.from([pad]), Buffer.from([0x80, 0, 0, 0, 15]), fragment, Buffer.alloc(pad, 0xee)]);
}

/** One header block as HEADERS (padded, with priority) then CONTINUATION frames, cut at `cuts` (offsets in the block). */
function split(sid: number, fields: Fields, cuts: number[], endStream: boolean): Buffer {
  const block = hpack(fields);
  const at = [0, ...cuts, block.length];
  const frames: Buffer[] = [];
  for (let i = 0; i + 1 < at.length; i++) {
    const piece = block.subarray(at[i], at[i + 1]);
    const last = i + 2 === at.length ? END_HEADERS : 0;
    frames.push(i === 0
      ? frame(HEADERS, PADDED | PRIORITY | last | (endStream ? END_STREAM : 0), sid, paddedPriority(piece, 7))
      : frame(CONTINUATION, last, sid, piece));
  }
  return Buffer.concat(frames);
}

const req = (path: string, extra: Fields): Fields => [[':method', 'POST'], [':scheme', 'http'], [':path', path], [':authority', 'svc:8080'], ...extra];
const regular = (f: Fields): Fields => f.filter(([n]) => !n.startsWith(':'));

const BIG: Fields = [['x-big', 'b'.repeat(3000)], ['x-after-big', 'kept'], ['x-long', 'l'.repeat(1500)]];
const S1 = req('/joined', [['content-type', 'text/plain'], ...BIG]);
const S1_RES: Fields = [[':status', '200'], ['content-type', 'text/plain']];
const S1_TRAILERS: Fields = [['x-checksum', 'c'.repeat(1200)], ['x-count', '3']];
const S3 = req('/single', [['x-one', '1'], ['x-two', '2']]);
const S3_RES: Fields = [[':status', '204'], ['x-empty', 'yes']];
const S5 = req('/with-trailers', [['content-type', 'text/plain']]);
const S5_TRAILERS: Fields = [['x-request-sum', '9']];

t.test('header blocks split, padded or trailing: every field, in order', async (t) => {
  const pcap = join(work, 'blocks.pcap');
  const block1 = hpack(S1).length;
  const client = Buffer.concat([
    PREFACE,
    split(1, S1, [10, 510, 2010], true), // first fragment 10 bytes, then 500, 1500 and the rest
    frame(HEADERS, PADDED | PRIORITY | END_HEADERS | END_STREAM, 3, paddedPriority(hpack(S3), 5)),
    headers(5, S5), frame(DATA, 0, 5, Buffer.from('body')), headers(5, S5_TRAILERS, true),
  ]);
  const server = Buffer.concat([
    headers(1, S1_RES), frame(DATA, 0, 1, Buffer.from('ok')), split(1, S1_TRAILERS, [3, 700], true),
    frame(HEADERS, PADDED | END_HEADERS | END_STREAM, 3, Buffer.concat([Buffer.from([3]), hpack(S3_RES), Buffer.alloc(3)])),
    headers(5, [[':status', '200']], true),
  ]);
  t.ok(block1 > 4000, `the split block is ${block1} bytes`);
  writeH2Capture(pcap, [[{ dir: 0, data: client }, { dir: 1, data: server }]]);
  const res = await runSensor(['apidump', '--pcap', pcap, '--rate-limit', '0', '--log-level', 'warn'], { withOut: true, timeoutMs: 120_000 });
  t.equal(res.code, 0, 'exit 0');
  t.notMatch(res.stderr, STACK_LINE, 'no stack trace');
  const byPath = new Map(res.records.map((r) => [r.request.path as string, r]));
  t.equal(res.records.length, 3, 'three exchanges');

  const s1 = byPath.get('/joined');
  t.same(s1?.request.headers, regular(S1), 'joined block: request fields in order');
  t.same(s1?.response.headers, [...regular(S1_RES), ...S1_TRAILERS], 'response fields, then the trailers from two CONTINUATION frames');
  t.same(s1?.flags, [], 'no flag');
  const s3 = byPath.get('/single');
  t.same(s3?.request.headers, regular(S3), 'one padded HEADERS frame with priority: fields decoded');
  t.equal(s3?.response.status, 204);
  t.same(s3?.response.headers, regular(S3_RES), 'padded response block');
  const s5 = byPath.get('/with-trailers');
  t.same(s5?.request.headers, [...regular(S5), ...S5_TRAILERS], 'request trailers appended');
  t.equal(Buffer.from(s5?.request.body.base64 ?? '', 'base64').toString(), 'body');
});
