// A header block with a frame too large to hold (over maxHeaderBytes + 512): the frame is skipped, and its
// block is dropped as over the header cap and followed to its END_HEADERS, so the stream is reported with
// `header_error`. Without that, fragments around a skipped CONTINUATION would be decoded as if whole, and a
// skipped HEADERS would leave its response without a request.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finalStats, runSensor, STACK_LINE } from '../util/sensor-run.js';
import { CONTINUATION, DATA, END_HEADERS, END_STREAM, HEADERS, PREFACE, frame as fr, writeH2Capture } from './h2-capture.js';
import { EXAMPLE_GET_BLOCK as GET_BLOCK } from '../../bench/lib/h2-frames.mjs';

const work = mkdtempSync(join(tmpdir(), 'pcs-h2-oversize-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

/** Larger than the default maxHeaderBytes (64 KiB) + 512: each byte an indexed `:path /`. */
const HUGE = Buffer.alloc(70_000, 0x84);
const response = { dir: 1 as const, data: Buffer.concat([fr(HEADERS, END_HEADERS, 1, Buffer.from([0x88])), fr(DATA, END_STREAM, 1, Buffer.from('ok'))]) };

t.test('an oversize HEADERS or CONTINUATION frame drops its block and flags the stream', async (t) => {
  const pcap = join(work, 'oversize.pcap');
  writeH2Capture(pcap, [
    [ // port 40000: GET_BLOCK, a CONTINUATION too large, then a last CONTINUATION that alone decodes fine
      { dir: 0, data: Buffer.concat([PREFACE, fr(HEADERS, END_STREAM, 1, GET_BLOCK), fr(CONTINUATION, 0, 1, HUGE),
        fr(CONTINUATION, END_HEADERS, 1, Buffer.from([0x84]))]) },
      response,
    ],
    [ // port 40001: the HEADERS frame itself too large
      { dir: 0, data: Buffer.concat([PREFACE, fr(HEADERS, END_HEADERS | END_STREAM, 1, HUGE)]) },
      response,
    ],
  ]);
  const res = await runSensor(['apidump', '--pcap', pcap, '--rate-limit', '0'], { withOut: true, timeoutMs: 120_000 });
  t.equal(res.code, 0, 'exit 0');
  t.notMatch(res.stderr + res.stdout, STACK_LINE, 'no stack trace');
  const s = finalStats(res) ?? {};
  t.equal(s['http2.frame_too_large'], 2, 'both frames skipped');
  t.equal(s['http2.header_block_too_large'], 2, 'both blocks dropped as over the header cap');
  t.notOk(s['http2.unexpected_continuation'], 'no CONTINUATION left without its block');
  for (const port of [40000, 40001]) {
    const recs = res.records.filter((r) => r.client.port === port);
    t.equal(recs.length, 1, `port ${port}: one exchange`);
    const r = recs[0];
    t.same(r?.flags, ['header_error'], `port ${port}: flagged header_error only (not interrupted)`);
    t.equal(r?.request.method, '', `port ${port}: no request field taken from a partial block`);
    t.equal(r?.response?.status, 200, `port ${port}: the response is paired with its request`);
  }
});
