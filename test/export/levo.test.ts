import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { Counters } from '../../src/util/counters.js';
import { createLevoExporter } from '../../src/export/levo-exporter.js';
import { startSatellite } from '../../src/satellite/server.js';
import { makeExchange, waitFor } from './fixtures/exchanges.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

/** A bare node:http server that keeps raw request bodies and headers (independent of the satellite code). */
async function rawServer(): Promise<{ url: string; requests: Array<{ path: string; headers: http.IncomingHttpHeaders; body: string }>; close(): Promise<void> }> {
  const requests: Array<{ path: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/base/`,
    requests,
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

t.test('levo format: endpoint, headers, exact trace shape', async (t) => {
  const srv = await rawServer();
  t.teardown(() => srv.close());
  const counters = new Counters();
  const exp = createLevoExporter({ satelliteUrl: new URL(srv.url), orgId: 'org-7', levoEnv: 'qa' }, { counters });
  exp.exportBatch([
    makeExchange({
      method: 'PUT', target: '/a/b?c=1', host: 'api.test', reqBody: 'req', resBody: Buffer.from([0xff, 0x00]), status: 404,
      reqHeaders: [['Host', 'api.test'], ['X-Dup', '1'], ['X-DUP', '2'], ['__proto__', 'p']],
      startSec: 1_700_000_000, startNsec: 111_111_111, endSec: 1_700_000_003, endNsec: 222_222_222,
    }),
    makeExchange({ host: null, status: null, rolesSwapped: true }),
  ]);
  await waitFor(() => srv.requests.length === 1, 30_000, 'one request');
  await exp.shutdown(Date.now() + 1000);
  const rq = srv.requests[0]!;
  t.equal(rq.path, '/base/1.0/ebpf/traces', 'path appended to the base URL');
  t.equal(rq.headers['content-type'], 'application/json');
  t.equal(rq.headers['x-levo-organization-id'], 'org-7');
  // Exact integers: check the raw text, since JSON.parse would round them.
  t.match(rq.body, /"request_time_ns":1700000000111111111[,}]/);
  t.match(rq.body, /"duration_ns":3111111111[,}]/);
  const traces = JSON.parse(rq.body) as any[];
  t.equal(traces.length, 2);
  const [a, b] = traces;
  t.same(Object.keys(a).sort(), ['duration_ns', 'http_scheme', 'local_net', 'remote_net', 'request', 'request_time_ns',
    'resource', 'response', 'span_id', 'span_kind', 'trace_id'].sort(), 'exactly the documented keys');
  t.equal(a.http_scheme, 'http');
  t.same(a.request.headers, JSON.parse('{":method":"PUT",":path":"/a/b?c=1",":authority":"api.test","host":"api.test","x-dup":"1, 2","__proto__":"p"}'),
    'pseudo-headers first, lower-case names, repeats joined, "__proto__" kept as data');
  t.same(Object.keys(a.request.headers), [':method', ':path', ':authority', 'host', 'x-dup', '__proto__']);
  t.equal(Buffer.from(a.request.body, 'base64').toString(), 'req');
  t.equal(a.request.truncated, false);
  t.equal(a.response.headers[':status'], '404');
  t.equal(a.response.headers['content-type'], 'application/json');
  t.equal(a.response.headers['set-cookie'], 'a=1, b=2');
  t.same([...Buffer.from(a.response.body, 'base64')], [0xff, 0x00]);
  t.same(a.resource, { service_name: pkg.name, host_name: hostname(), levo_env: 'qa', sensor_type: pkg.name, sensor_version: pkg.version });
  t.match(a.trace_id, /^[0-9a-f]{32}$/);
  t.match(a.span_id, /^[0-9a-f]{16}$/);
  t.not(a.trace_id, b.trace_id, 'ids differ per trace');
  t.equal(a.span_kind, 'SERVER');
  t.same(a.local_net, { ip: '10.9.8.7', port: 8080 });
  t.same(a.remote_net, { ip: '10.1.2.3', port: 51234 });
  t.equal(b.request.headers[':authority'], '10.1.2.3:51234', 'no Host: server ip:port (roles swapped)');
  t.same(b.local_net, { ip: '10.1.2.3', port: 51234 });
  t.same(b.response, { headers: {}, body: '', truncated: false }, 'no response: empty response object');
  t.equal(counters.get('export.exported'), 2);
  t.equal(counters.get('export.levo.exported'), 2);
});

t.test('embedded satellite: levo lines keep exact ns, org id, summary line; protobuf counted; errors', async (t) => {
  const recs: any[] = [];
  const lines: string[] = [];
  const sat = await startSatellite({ port: 0, out: null, log: (l) => lines.push(l), onRecord: (r) => recs.push(r) });
  t.teardown(() => sat.close());
  const counters = new Counters();
  const exp = createLevoExporter({ satelliteUrl: new URL(sat.url), orgId: 'o1', levoEnv: 'e' }, { counters });
  exp.exportBatch([makeExchange({ startNsec: 1, endNsec: 2 })]);
  await exp.shutdown(Date.now() + 30_000); // resolves once delivered; the deadline only bounds a failure
  t.equal(recs.length, 1);
  t.equal(recs[0].format, 'levo');
  t.equal(recs[0].org_id, 'o1');
  t.equal(recs[0].trace.request_time_ns, '1700000000000000001', 'written as an exact decimal string');
  t.equal(recs[0].trace.duration_ns, '1');
  t.match(lines.join('\n'), /levo 1 traces/);

  const post = (path: string, type: string, body: string): Promise<number> => new Promise((resolve, reject) => {
    const req = http.request(`${sat.url}${path}`, { method: 'POST', headers: { 'content-type': type } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
  t.equal(await post('/v1/traces', 'application/x-protobuf', 'abc'), 200);
  t.equal(sat.stats.protobufRequests, 1);
  t.equal(sat.stats.protobufBytes, 3);
  t.equal(await post('/1.0/ebpf/traces', 'application/json', '{not json'), 400);
  t.equal(await post('/1.0/ebpf/traces', 'application/json', '[1]'), 400, 'a trace must be an object');
  t.equal(await post('/v1/traces', 'text/plain', 'x'), 415);
  t.equal(await post('/nope', 'application/json', '{}'), 404);
  t.equal(sat.stats.badRequests, 3);
  t.equal(recs.length, 1, 'nothing recorded from bad requests');
});
