import t from 'tap';
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { Counters } from '../../src/util/counters.js';
import { startSatellite } from '../../src/satellite/server.js';
import { createOtlpExporter, classifyOtlpResult } from '../../src/export/otlp-exporter.js';
import { ExportPipeline } from '../../src/export/pipeline.js';
import { makeExchange, waitFor } from './fixtures/exchanges.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

type Rec = { format: string; org_id: string | null; resource: Record<string, unknown>; span: Record<string, any> };

t.test('OTLP spans: attributes, times, resource tags and the org header reach a real server', async (t) => {
  const records: Rec[] = [];
  const sat = await startSatellite({ port: 0, out: null, log: () => {}, onRecord: (r) => records.push(r as Rec) });
  t.teardown(() => sat.close());
  const counters = new Counters();
  const exporter = createOtlpExporter(
    { satelliteUrl: new URL(sat.url), orgId: 'org-42', levoEnv: 'production' }, { counters, requestTimeoutMs: 2000 });
  const p = new ExportPipeline({ counters, exportIntervalMs: 20, batchExporters: [exporter] });
  p.onExchange(makeExchange({
    id: 7, method: 'POST', target: '/v2/orders?limit=5&x=%20y', reqBody: '{"item":1}', status: 201,
    reqHeaders: [['Host', 'shop.example:8080'], ['User-Agent', 'agent/1'], ['X-Multi', 'a'], ['x-multi', 'b']],
    resBody: Buffer.from([0, 1, 2, 255]),
    startSec: 1_700_000_001, startNsec: 5, endSec: 1_700_000_002, endNsec: 999_999_999,
  }));
  p.onExchange(makeExchange({ id: 8, target: '/health', host: null, status: null, rolesSwapped: true, flags: ['no_response'] }));
  p.onExchange(makeExchange({ id: 9, target: '/boom', status: 503 }));
  await waitFor(() => records.length === 3, 30_000, 'three spans');
  await p.shutdown(30_000);

  t.equal(counters.get('export.exported'), 3);
  t.equal(counters.get('export.otlp.exported'), 3);
  const [a, b, c] = [7, 8, 9].map((id) => records.find((r) => r.span.attributes['levo.connection.id'] === id)!);
  t.ok(a && b && c, 'every exchange became a span');
  for (const r of records) {
    t.equal(r.org_id, 'org-42', 'x-levo-organization-id header on the request');
    t.equal(r.resource['levo.env'], 'production');
    t.equal(r.resource['deployment.environment.name'], 'production');
    t.equal(r.resource['levo.organization_id'], 'org-42');
    t.equal(r.resource['host.name'], hostname());
    t.equal(r.resource['levo.sensor.name'], pkg.name);
    t.equal(r.resource['levo.sensor.version'], pkg.version);
    t.equal(r.span.kind, 2, 'SERVER (OTLP enum value 2)');
  }
  const A = a!.span;
  t.equal(A.name, 'POST /v2/orders');
  t.equal(A.startTimeUnixNano, '1700000001000000005', 'start from packet time, ns exact');
  t.equal(A.endTimeUnixNano, '1700000002999999999');
  t.match(A.traceId, /^[0-9a-f]{32}$/);
  t.match(A.spanId, /^[0-9a-f]{16}$/);
  const at = A.attributes;
  t.equal(at['http.request.method'], 'POST');
  t.equal(at['url.path'], '/v2/orders');
  t.equal(at['url.query'], 'limit=5&x=%20y');
  t.equal(at['url.scheme'], 'http');
  t.equal(at['server.address'], 'shop.example');
  t.equal(at['server.port'], 8080);
  t.equal(at['client.address'], '10.1.2.3');
  t.equal(at['client.port'], 51234);
  t.equal(at['http.response.status_code'], 201);
  t.equal(at['network.protocol.version'], '1.1');
  t.equal(at['user_agent.original'], 'agent/1');
  t.equal(at['http.request.body.size'], 10);
  t.equal(at['http.response.body.size'], 4);
  t.same(at['http.request.header.x-multi'], ['a', 'b'], 'repeated headers as one string array, lower-case name');
  t.same(at['http.response.header.set-cookie'], ['a=1', 'b=2']);
  t.equal(Buffer.from(at['levo.http.request.body'] as string, 'base64').toString(), '{"item":1}');
  t.same([...Buffer.from(at['levo.http.response.body'] as string, 'base64')], [0, 1, 2, 255], 'binary body survives');

  const B = b!.span.attributes;
  t.equal(B['client.address'], '10.9.8.7', 'roles swapped: client is the connection server side');
  t.equal(B['server.address'], '10.1.2.3', 'no Host header: server address is the IP');
  t.equal(B['server.port'], 51234);
  t.notOk('http.response.status_code' in B, 'no response: no status');
  t.notOk('url.query' in B);
  t.same(B['levo.exchange.flags'], ['no_response']);

  t.equal(c!.span.attributes['error.type'], '503');
  t.equal(c!.span.status.code, 2, 'status ERROR for 5xx');
});

t.test('OTLP result classification', async (t) => {
  t.same(classifyOtlpResult({ code: 0 }), { kind: 'ok' });
  const e400 = Object.assign(new Error('Bad Request'), { code: 400 });
  t.equal(classifyOtlpResult({ code: 1, error: e400 }).kind, 'reject');
  for (const code of [408, 429, 500, 503]) {
    t.equal(classifyOtlpResult({ code: 1, error: Object.assign(new Error('x'), { code }) }).kind, 'retry', `${code} retries`);
  }
  t.equal(classifyOtlpResult({ code: 1, error: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }).kind, 'retry');
  t.equal(classifyOtlpResult({ code: 1 }).kind, 'retry');
});

t.test('OTLP: a 400 from the server is dropped and counted, not retried', async (t) => {
  const sat = await startSatellite({ port: 0, out: null, log: () => {} });
  t.teardown(() => sat.close());
  sat.failNext(1, 400);
  const counters = new Counters();
  const exporter = createOtlpExporter({ satelliteUrl: new URL(sat.url), orgId: 'o', levoEnv: 'e' }, { counters });
  exporter.exportBatch([makeExchange()]);
  await waitFor(() => counters.get('export.failed') === 1, 30_000, 'failed count');
  t.equal(counters.get('export.retried'), 0);
  t.equal(sat.stats.otlpSpans, 0);
  await exporter.shutdown(Date.now() + 500);
});
