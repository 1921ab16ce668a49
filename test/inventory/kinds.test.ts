// Which path segments are parameters at once, how parameters are named, first and last seen, and
// `--exchanges -` (standard input): `pcap-sensor inventory` on synthetic exchange records built here.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { inventory, jsonl, record, report } from './harness.js';
import { SENSOR_BIN } from '../util/sensor-run.js';

/** Kinds never shown as examples (docs/inventory.md: tokens, UUIDs, e-mail addresses). */
const SECRET = new Set(['uuid', 'hex', 'base64', 'email']);

/** [concrete path, expected template, kinds of the last parameter]: one exchange each. */
const CASES: Array<[string, string, string[] | null]> = [
  ['/orders/12345', '/orders/{orderId}', ['integer']],
  ['/accounts/-7/balance', '/accounts/{accountId}/balance', ['integer']],
  ['/jobs/3f2b8c1e-9d4a-4b7e-8f6a-1c2d3e4f5a6b', '/jobs/{jobId}', ['uuid']],
  ['/blobs/9f86d081884c7d659a2feaa0c55ad015', '/blobs/{blobId}', ['hex']],
  ['/sessions/dGhpcyBpcyBhIHRva2Vu', '/sessions/{sessionId}', ['base64']],
  ['/keys/a1b2c3d4e5f6g7h8', '/keys/{keyId}', ['base64']],
  ['/days/2026-01-05', '/days/{dayId}', ['date']],
  ['/events/2026-01-05T10:00:00Z', '/events/{eventId}', ['timestamp']],
  ['/members/ada%40example.test', '/members/{memberId}', ['email']],
  ['/categories/42', '/categories/{categoryId}', ['integer']],
  ['/order-items/7', '/order-items/{orderItemId}', ['integer']],
  ['/5/6', '/{id}/{id2}', ['integer']],
  ['/names/my-product-name-2024', '/names/my-product-name-2024', null],
  ['/static/app.js', '/static/app.js', null],
  ['/', '/', null],
  ['/a//b/', '/a/b', null],
  ['/odd/{x}', '/odd/%7Bx%7D', null],
];

t.test('values that are parameters at once, and the names they get', async (t) => {
  const lines = CASES.map(([path], i) => record('GET', path, { startMs: 1_700_000_000_000 + i * 1000 }));
  const r = await report(t, ['--exchanges', jsonl(lines)]);
  const byPath = new Map(r.endpoints.map((e: any) => [e.path, e]));
  t.equal(r.endpoints.length, CASES.length, 'one endpoint per case');
  for (const [path, template, kinds] of CASES) {
    const e: any = byPath.get(template);
    t.ok(e, `${path} -> ${template}`);
    if (e === undefined) continue;
    t.equal(e.count, 1);
    t.same(e.path_parameters.at(-1)?.kinds ?? null, kinds, `${path}: kinds`);
    // the last parameter's position in the template, and the segment sent there: its one example
    const position = template.split('/').filter((x) => x !== '').map((x) => x.startsWith('{')).lastIndexOf(true);
    const sent = path.split('/').filter((x) => x !== '')[position];
    const want = kinds === null ? null : { position, examples: SECRET.has(kinds[0]!) ? [] : [sent] };
    const last = e.path_parameters.at(-1);
    t.same(last === undefined ? null : { position: last.position, examples: last.examples }, want, `${path}: position and examples`);
  }
  const hidden = r.endpoints.flatMap((e: any) => e.path_parameters).filter((p: any) => p.kinds.some((k: string) => SECRET.has(k)));
  t.equal(hidden.length, CASES.filter(([, , kinds]) => kinds !== null && SECRET.has(kinds[0]!)).length, 'one parameter per token, UUID or e-mail case');
  t.notMatch(JSON.stringify(r), /ada|dGhpcyBp|9f86d081/, 'those values appear nowhere');
});

t.test('first and last seen are the first and last request times; latency percentiles within 1 %', async (t) => {
  // 100 exchanges taking 1, 2, ..., 100 ms, in a scrambled order
  const lines = Array.from({ length: 100 }, (_, i) => (i * 37) % 100 + 1)
    .map((ms) => record('GET', '/clock', { startMs: Date.UTC(2026, 0, 5, 10, 0, 0) + ms * 1000, latencyMs: ms }));
  const e = (await report(t, ['--exchanges', jsonl(lines)])).endpoints[0];
  t.equal(e.first_seen, '2026-01-05T10:00:01.000Z');
  t.equal(e.last_seen, '2026-01-05T10:01:40.000Z');
  const near = (got: number, want: number): boolean => Math.abs(got - want) <= want * 0.01 + 1e-9;
  t.ok(near(e.latency_ms.p50, 50), `p50 ${e.latency_ms.p50} ~ 50`);
  t.ok(near(e.latency_ms.p95, 95), `p95 ${e.latency_ms.p95} ~ 95`);
  t.ok(near(e.latency_ms.p99, 99), `p99 ${e.latency_ms.p99} ~ 99`);
  const one = (await report(t, ['--exchanges', jsonl([record('GET', '/x', { latencyMs: 200.5 })])])).endpoints[0];
  t.same(one.latency_ms, { p50: 200.5, p95: 200.5, p99: 200.5 }, 'clamped to what was measured');
});

t.test('--exchanges - reads standard input', async (t) => {
  const file = jsonl([record('GET', '/a'), record('POST', '/a', { status: 201 })]);
  const r = spawnSync('sh', ['-c', `"${SENSOR_BIN}" inventory --exchanges - --format json < "${file}"`], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, r.stderr);
  t.same(JSON.parse(r.stdout).endpoints.map((e: any) => `${e.method} ${e.path} ${JSON.stringify(e.status)}`), ['GET /a {"200":1}', 'POST /a {"201":1}']);
  t.same(JSON.parse(r.stdout), JSON.parse((await inventory(['--exchanges', file, '--format', 'json'])).stdout), 'as from the file');
});
