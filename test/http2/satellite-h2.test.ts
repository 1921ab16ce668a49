// HTTP/2 exchanges through the real program to a satellite on loopback: the satellite JSON traces
// (--export-format levo) carry "http_version":"2", the stream id and the gRPC status; OTLP spans carry
// network.protocol.version 2, levo.http2.stream_id and the RPC conventions (rpc.system, rpc.service, rpc.method,
// rpc.grpc.status_code).
import t, { type Test } from 'tap';
import http from 'node:http';
import zlib from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSensor, REPO_ROOT } from '../util/sensor-run.js';

const GRPC = join(REPO_ROOT, 'fixtures', 'captures-h2', 'grpc.pcap');
/** The calls as the gRPC client and server logged them (fixtures/record-h2): path -> grpc-status. */
const LOGGED = new Map<string, number>((JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures', 'captures-h2', 'grpc.expected.json'), 'utf8'))
  .exchanges as Array<{ path: string; grpc_status: number }>).map((e) => [e.path, e.grpc_status]));

/** A bare loopback server keeping every request body (decompressed when gzip). */
async function listener(t: Test): Promise<{ url: string; bodies: Array<{ path: string; body: Buffer }> }> {
  const bodies: Array<{ path: string; body: Buffer }> = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      let body = Buffer.concat(parts);
      if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
      bodies.push({ path: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, bodies };
}

t.test('satellite JSON: http_version, http2_stream_id, grpc_status', async (t) => {
  const sat = await listener(t);
  const res = await runSensor(['apidump', '--pcap', GRPC, '--rate-limit', '0', '--log-level', 'warn',
    '--satellite-url', sat.url, '--levoai-org-id', 'org-h2', '--export-format', 'levo'], { timeoutMs: 120_000 });
  t.equal(res.code, 0, 'exit 0');
  const traces = sat.bodies.filter((b) => b.path.endsWith('/1.0/ebpf/traces')).flatMap((b) => JSON.parse(b.body.toString('utf8')));
  t.equal(traces.length, LOGGED.size, `${LOGGED.size} gRPC calls`);
  const byPath = new Map(traces.map((tr: any) => [tr.request.headers[':path'], tr]));
  for (const [path, status] of LOGGED) {
    const tr: any = byPath.get(path);
    t.equal(tr?.http_version, '2', `${path}: http_version`);
    t.equal(tr?.grpc_status, status, `${path}: grpc_status as logged`);
  }
  const ids = traces.map((tr: any) => tr.http2_stream_id).sort((a: number, b: number) => a - b);
  t.same(ids, [1, 3, 5], 'stream ids of the three calls on one connection');
});

t.test('OTLP: protocol version, stream id, gRPC status code as span attributes', async (t) => {
  const sat = await listener(t);
  const res = await runSensor(['apidump', '--pcap', GRPC, '--rate-limit', '0', '--log-level', 'warn',
    '--satellite-url', sat.url, '--levoai-org-id', 'org-h2', '--export-format', 'otlp'], { timeoutMs: 120_000 });
  t.equal(res.code, 0, 'exit 0');
  const text = sat.bodies.filter((b) => b.path.endsWith('/v1/traces')).map((b) => b.body.toString('latin1')).join('\n');
  t.ok(text.length > 0, 'spans exported');
  for (const key of ['levo.http2.stream_id', 'rpc.grpc.status_code', 'network.protocol.version']) t.match(text, key, `${key} present`);
  // RPC semantic conventions, per span (the calls the gRPC client made: fixtures/record-h2/grpc-client.mjs)
  const spans = sat.bodies.filter((b) => b.path.endsWith('/v1/traces'))
    .flatMap((b) => (JSON.parse(b.body.toString('utf8')) as any).resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans)));
  const attrsOf = (span: any): Record<string, unknown> => Object.fromEntries(span.attributes.map((a: any) => [a.key, Object.values(a.value)[0]]));
  const byMethod = new Map(spans.map((sp: any) => attrsOf(sp)).map((a) => [a['rpc.method'], a]));
  t.same([...byMethod.keys()].sort(), ['Echo', 'Fail', 'List'], 'rpc.method of each call');
  for (const [method, a] of byMethod) {
    t.equal(a['rpc.system'], 'grpc', `${String(method)}: rpc.system`);
    t.equal(a['rpc.service'], 'fixture.Items', `${String(method)}: rpc.service`);
  }
  for (const [path, status] of LOGGED) {
    t.equal(Number(byMethod.get(path.split('/').pop())?.['rpc.grpc.status_code']), status, `${path}: rpc.grpc.status_code as logged`);
  }
});
