// A stream reset after its response ended is complete: it is emitted at the reset, in the order exchanges
// complete (docs/output.md), not held with the reset streams that wait for late frames until the close.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSensor, STACK_LINE } from '../util/sensor-run.js';
import { DATA, END_STREAM, PREFACE, frame as fr, headers, writeH2Capture } from './h2-capture.js';
import { rstStream } from '../../bench/lib/h2-frames.mjs';

const work = mkdtempSync(join(tmpdir(), 'pcs-h2-reset-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

const req = (path: string): Array<[string, string]> => [[':method', 'POST'], [':scheme', 'http'], [':path', path], [':authority', 'svc']];
const ok = (sid: number, body: string) => Buffer.concat([headers(sid, [[':status', '200']]), fr(DATA, END_STREAM, sid, Buffer.from(body))]);

t.test('a reset after the response ended emits the stream at the reset', async (t) => {
  const pcap = join(work, 'reset.pcap');
  writeH2Capture(pcap, [[
    { dir: 0, data: Buffer.concat([PREFACE, headers(1, req('/upload')), fr(DATA, 0, 1, Buffer.from('part'))]) },
    { dir: 1, data: ok(1, 'early answer') }, // the server answers before the request body ended
    { dir: 0, data: Buffer.concat([rstStream(1, 8 /* CANCEL */), headers(3, req('/next'), true)]) },
    { dir: 1, data: ok(3, 'next') },
  ]]);
  const res = await runSensor(['apidump', '--pcap', pcap, '--rate-limit', '0'], { withOut: true, timeoutMs: 120_000 });
  t.equal(res.code, 0, 'exit 0');
  t.notMatch(res.stderr + res.stdout, STACK_LINE, 'no stack trace');
  t.same(res.records.map((r) => [r.stream_id, r.request.path, r.response?.status, r.flags]),
    [[1, '/upload', 200, ['reset']], [3, '/next', 200, []]], 'stream 1 first: it completed at its reset');
});
