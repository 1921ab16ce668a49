// Hostile HTTP/2 input through the whole program: random frames, frame lengths far beyond any cap, a
// CONTINUATION flood, malformed HPACK, references to dynamic entries never sent, a table size update beyond
// the cap, more open streams than the per-connection cap; and one well-formed server push. The sensor must
// exit 0 without a stack trace, count each case under its own counter, and still report the streams it can.
import t from 'tap';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finalStats, runSensor, STACK_LINE } from '../util/sensor-run.js';
import { writeH2Capture } from './h2-capture.js';
import type { Chunk } from '../robustness/harness.js';
import { PREFACE, HEADERS, CONTINUATION, DATA, END_STREAM, END_HEADERS, EXAMPLE_GET_BLOCK as GET_BLOCK, frame as fr } from '../../bench/lib/h2-frames.mjs';

const work = mkdtempSync(join(tmpdir(), 'pcs-h2-hostile-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

const STATUS_200 = Buffer.from([0x88]);

/** One connection per case, each its own client port. */
const cases: Record<string, Chunk[]> = {
  random: [{ dir: 0, data: Buffer.concat([PREFACE, ...fc.sample(fc.uint8Array({ minLength: 9, maxLength: 200 }), { seed: 7, numRuns: 40 }).map((a) => Buffer.from(a))]) }],
  huge_length: [{ dir: 0, data: Buffer.concat([PREFACE, fr(HEADERS, END_HEADERS, 1, Buffer.alloc(100), 0xffffff)]) }],
  continuation_flood: [{ dir: 0, data: Buffer.concat([PREFACE, fr(HEADERS, 0, 1, GET_BLOCK.subarray(0, 2)),
    ...Array.from({ length: 2000 }, () => fr(CONTINUATION, 0, 1, Buffer.from([0x84])))]) }],
  bad_hpack: [{ dir: 0, data: Buffer.concat([PREFACE,
    fr(HEADERS, END_HEADERS | END_STREAM, 1, Buffer.from([0x80])), // index 0
    fr(HEADERS, END_HEADERS | END_STREAM, 3, Buffer.from('82ffffffffffffff', 'hex')), // integer overflow
    fr(HEADERS, END_HEADERS | END_STREAM, 5, Buffer.from('8284418400000000', 'hex')), // bad Huffman
    fr(HEADERS, END_HEADERS | END_STREAM, 7, Buffer.from('3fe1ff3f82', 'hex')), // size update beyond the cap (about 1 MiB)
  ]) }],
  unknown_index: [
    { dir: 0, data: Buffer.concat([PREFACE, fr(HEADERS, END_HEADERS | END_STREAM, 1, Buffer.concat([GET_BLOCK, Buffer.from([0xc5])]))]) },
    { dir: 1, data: Buffer.concat([fr(HEADERS, END_HEADERS, 1, STATUS_200), fr(DATA, END_STREAM, 1, Buffer.from('ok'))]) },
  ],
  push: [ // well-formed: a pushed stream is an exchange of its own, flagged pushed
    { dir: 0, data: Buffer.concat([PREFACE, fr(HEADERS, END_HEADERS | END_STREAM, 1, GET_BLOCK)]) },
    { dir: 1, data: Buffer.concat([
      fr(5 /* PUSH_PROMISE */, END_HEADERS, 1, Buffer.concat([Buffer.from([0, 0, 0, 2]), Buffer.from([0x82, 0x86, 0x04, 0x07]), Buffer.from('/pushed'), Buffer.from('418cf1e3c2e5f23a6ba0ab90f4ff', 'hex')])),
      fr(HEADERS, END_HEADERS, 1, STATUS_200), fr(DATA, END_STREAM, 1, Buffer.from('page')),
      fr(HEADERS, END_HEADERS, 2, STATUS_200), fr(DATA, END_STREAM, 2, Buffer.from('pushed body')),
    ]) },
  ],
  many_streams: [{ dir: 0, data: Buffer.concat([PREFACE,
    ...Array.from({ length: 300 }, (_, i) => fr(HEADERS, END_HEADERS, 2 * i + 1, GET_BLOCK))]) }],
};

t.test('hostile HTTP/2: no crash, each case counted', async (t) => {
  const pcap = join(work, 'hostile-h2.pcap');
  writeH2Capture(pcap, Object.values(cases));
  const res = await runSensor(['apidump', '--pcap', pcap, '--rate-limit', '0'], { withOut: true, timeoutMs: 120_000 });
  t.equal(res.code, 0, 'exit 0');
  t.notMatch(res.stderr + res.stdout, STACK_LINE, 'no stack trace');
  const final = finalStats(res);
  t.ok(final, 'final stats logged');
  const s = final ?? {};
  t.equal(s['http2.connections'], Object.keys(cases).length, 'every connection taken as HTTP/2');
  for (const c of ['http2.frame_too_large', 'http2.continuation_flood', 'http2.hpack_error.index', 'http2.hpack_error.integer',
    'http2.hpack_error.string', 'http2.hpack_table_clamped', 'http2.hpack_unknown_index', 'http2.stream_overflow']) {
    t.ok((s[c] ?? 0) > 0, `${c} counted (${s[c]})`);
  }
  const byPort = (p: number) => res.records.filter((r) => r.client.port === p);
  const unknown = byPort(40000 + Object.keys(cases).indexOf('unknown_index'));
  t.equal(unknown.length, 1, 'the stream with an unknown dynamic index is still reported');
  t.same(unknown[0]?.flags, ['header_error'], 'flagged header_error');
  t.equal(unknown[0]?.request.target, '/', 'with what could be decoded');
  t.equal(unknown[0]?.response?.status, 200);
  const push = byPort(40000 + Object.keys(cases).indexOf('push'));
  t.same(push.map((r) => [r.stream_id, r.request.target, r.response?.status, r.response?.body.length, r.flags]).sort(),
    [[1, '/', 200, 4, []], [2, '/pushed', 200, 11, ['pushed']]], 'the page and the pushed stream');
  const many = byPort(40000 + Object.keys(cases).indexOf('many_streams'));
  t.equal(many.length, 300, 'every stream reported (open ones at the cap are ended early)');
  t.ok(many.every((r) => r.flags.includes('no_response')), 'none answered');
});
