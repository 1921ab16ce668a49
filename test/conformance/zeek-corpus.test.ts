// Conformance: the sensor over Zeek's own HTTP test traces, compared row by row with Zeek's http.log
// baselines. Every difference must be listed, with its reason, in deliberate-differences.json, and every
// listed difference must still occur (a fixed one is removed from the list). The traces without a
// baseline are in zeek-more-traces.test.ts.
import t from 'tap';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runSensor, REPO_ROOT } from '../util/sensor-run.js';
import { CORPUS } from '../capture/fixtures/corpus.js';
import { compareTrace, differenceKey, recordToRow, type ZeekTrace, type RowDifference } from './zeek-compare.js';

const deliberate: Array<{ key: string; reason: string }> = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test', 'conformance', 'deliberate-differences.json'), 'utf8'),
);

t.ok(existsSync(join(CORPUS, 'expected.json')), `the Zeek corpus is at ${CORPUS}`);
const traces: ZeekTrace[] = JSON.parse(readFileSync(join(CORPUS, 'expected.json'), 'utf8'));

t.test('every deliberate difference has a reason', async (t) => {
  for (const d of deliberate) t.ok(d.reason && d.reason.length > 20, `reason given for ${d.key}`);
});

const seen = new Set<string>();
for (const trace of traces) {
  t.test(trace.trace, async (t) => {
    const res = await runSensor(['apidump', '--pcap', join(CORPUS, 'traces', trace.trace), '--rate-limit', '0', '--log-level', 'warn'], { withOut: true });
    t.equal(res.code, 0, `sensor exits 0 (stderr: ${res.stderr.slice(0, 500)})`);
    const diffs: RowDifference[] = compareTrace(trace, res.records.map(recordToRow));
    for (const d of diffs) {
      const key = differenceKey(d);
      seen.add(key);
      const listed = deliberate.find((x) => x.key === key);
      if (listed) {
        t.pass(`deliberate: ${key}`);
      } else {
        t.fail(`differs from Zeek: ${key}`, { expected: d.expected, actual: d.actual, fields: d.fields });
      }
    }
    if (diffs.length === 0) t.pass(`${trace.rows.length} rows match Zeek`);
  });
}

t.test('no stale deliberate differences', async (t) => {
  for (const d of deliberate) t.ok(seen.has(d.key), `still differs: ${d.key}`);
});

