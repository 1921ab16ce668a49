// File runs (`apidump --pcap`) exporting to a satellite, as processes: the embedded satellite command with both
// export formats, the organization ID and environment arriving; an https satellite trusted through
// --satellite-ca (a CA made here with openssl); a run in which every export failed exits 1 and says so; one
// name per counter in the stats line.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture, expected, expectedExchanges, freePort, RecordingSatellite } from './runtime-harness.js';
import { run, STACK_LINE, startSensor } from '../util/sensor-run.js';
import { makePkiOrReason, type TestPki } from '../export/fixtures/pki.js';

const dir = mkdtempSync(join(tmpdir(), 'runtime-export-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('both export formats into `pcap-sensor satellite --port --host --out`: every exchange, org ID and environment', async (t) => {
  const port = await freePort();
  const received = join(dir, 'received.jsonl');
  const sat = startSensor(['satellite', '--port', String(port), '--host', '127.0.0.1', '--out', received]);
  t.teardown(() => sat.kill('SIGKILL'));
  await sat.until((p) => p.stderr.includes('satellite listening on'), 'the satellite to listen');
  t.match(sat.stderr, new RegExp(`satellite listening on http://127\\.0\\.0\\.1:${port}\\n`), '--port and --host in effect');

  const name = 'curl-variety';
  const want = expectedExchanges(name);
  for (const format of ['otlp', 'levo']) {
    const r = await run(['apidump', '--pcap', capture(name), '--rate-limit', '0', '--satellite-url', `http://127.0.0.1:${port}`,
      '--export-format', format, '--levo-env', `env-${format}`, '--levoai-org-id', `org-${format}`]);
    t.equal(r.code, 0, `${format}: exit 0`);
    t.notMatch(r.stderr, STACK_LINE);
    t.equal(r.log('final stats')!.summary.exported, want, `${format}: the sensor counts ${want} exported`);
  }
  sat.kill('SIGTERM');
  const exit = await sat.exited;
  t.equal(exit.code, 0, 'the satellite exits 0 on SIGTERM');
  const lines = readFileSync(received, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const otlp = lines.filter((l) => l.format === 'otlp');
  const levo = lines.filter((l) => l.format === 'levo');
  t.equal(otlp.length, want, `otlp: ${want} spans in the satellite's --out`);
  t.equal(levo.length, want, `levo: ${want} traces`);
  t.ok(otlp.every((l) => l.org_id === 'org-otlp' && l.resource['levo.env'] === 'env-otlp'
    && l.resource['deployment.environment.name'] === 'env-otlp'), 'otlp: x-levo-organization-id header and the environment in the resource');
  t.ok(levo.every((l) => l.org_id === 'org-levo' && l.trace.resource.levo_env === 'env-levo'), 'levo: header and resource.levo_env');
  const methods = expected(name).map((e) => e.method).sort();
  t.same(otlp.map((l) => l.span.attributes['http.request.method']).sort(), methods, 'otlp: the recorded requests\' methods');
  t.same(levo.map((l) => l.trace.request.headers[':method']).sort(), methods, 'levo: the recorded requests\' methods');
});

const pki = makePkiOrReason(dir);
t.test('--satellite-ca: an https satellite under a private CA', { skip: typeof pki === 'string' ? pki : false }, async (t) => {
  const { key, cert, caPath } = pki as TestPki;
  const trusted = await RecordingSatellite.start({ tls: { key, cert } });
  const untrusted = await RecordingSatellite.start({ tls: { key, cert } });
  t.teardown(() => Promise.all([trusted.close(), untrusted.close()]));
  const name = 'nginx';
  const args = (url: string): string[] => ['apidump', '--pcap', capture(name), '--satellite-url', url, '--levoai-org-id', 'org-tls'];
  // without the CA the certificate is refused until the shutdown deadline: both runs go at once
  const [withCa, without] = await Promise.all([run([...args(trusted.url('https')), '--satellite-ca', caPath]), run(args(untrusted.url('https')))]);
  t.equal(withCa.code, 0, 'with --satellite-ca: exit 0');
  t.equal(trusted.traces().length, expectedExchanges(name), 'every exchange over TLS');
  t.ok(trusted.posts.every((p) => p.headers['x-levo-organization-id'] === 'org-tls'));
  t.equal(without.code, 1, 'without it: exit 1');
  t.equal(untrusted.posts.length, 0, 'nothing got through an unverified certificate');
  t.ok(without.log(new RegExp(`export failed: ${expectedExchanges(name)} of ${expectedExchanges(name)} exchanges did not reach the satellite`)),
    'says the export failed');
  t.notMatch(without.stderr, STACK_LINE);
});

t.test('a file run whose every export failed exits 1 and says so', async (t) => {
  const sat = await RecordingSatellite.start({ status: 400 }); // rejected: not retried, so no wait for the deadline
  t.teardown(() => sat.close());
  for (const format of ['otlp', 'levo']) {
    const r = await run(['apidump', '--pcap', capture('nginx'), '--satellite-url', sat.url(), '--export-format', format]);
    t.equal(r.code, 1, `${format}: exit 1`);
    const n = expectedExchanges('nginx');
    t.ok(r.log(`export failed: ${n} of ${n} exchanges did not reach the satellite (failed ${n}, dropped 0)`), `${format}: the reason`);
    t.equal(r.log('final stats')!.stats['export.failed'], n, 'counted');
    t.notMatch(r.stderr, STACK_LINE);
  }
  t.ok(sat.posts.length >= 2, 'the satellite was asked (and refused)');
});

t.test('one name per counter in the stats line', async (t) => {
  const r = await run(['apidump', '--pcap', capture('concurrent'), '--out', join(dir, 'c.jsonl'), '--stats-interval', '1']);
  t.equal(r.code, 0);
  const names = Object.keys(r.log('final stats')!.stats);
  const bad = names.filter((n) => !/^[a-z0-9_]+(\.[a-z0-9_]+)*$/.test(n));
  t.same(bad, [], 'every name is dot-separated lower-case snake_case');
  t.ok(names.includes('reassembly.bytes_delivered') && names.includes('reassembly.connections_created'));
  const normal = (n: string): string => n.replace(/[._]/g, '').toLowerCase();
  const spellings = new Map<string, string[]>();
  for (const n of names) spellings.set(normal(n), [...(spellings.get(normal(n)) ?? []), n]);
  t.same([...spellings.values()].filter((v) => v.length > 1), [], 'no counter under two spellings');
});

t.test('--metrics-port in use: exit 1, one line naming the flag', async (t) => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => holder.close(() => resolve())));
  const port = (holder.address() as net.AddressInfo).port;
  const r = await run(['apidump', '--pcap', capture('nginx'), '--out', join(dir, 'm.jsonl'), '--metrics-port', String(port)]);
  t.equal(r.code, 1);
  t.ok(r.log(`--metrics-port: cannot listen on 127.0.0.1:${port}: the address is already in use`), 'the reason in words');
  t.notMatch(r.stderr, STACK_LINE);
});
