// `pcap-sensor inventory` on a recorded API (fixtures/inventory: a server and client of our own over a veth
// pair): the endpoints, templates, counts and statuses are those of the client's own log; the slow route's
// latency is at least the server's sleep; the credentials the client sent appear in no output format.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { API, API_PCAP, endpointKeys, exchangesOf, inventory, report, tempPath } from './harness.js';

const byKey = (r: any): Map<string, any> => new Map(r.endpoints.map((e: any) => [`${e.method} ${e.path}`, e]));

t.test('endpoints, templates, counts and statuses are the client\'s', async (t) => {
  const r = await report(t, ['--pcap', API_PCAP]);
  t.same(endpointKeys(r.endpoints), endpointKeys(API.endpoints));
  t.ok(r.endpoints.every((e: any) => e.host === API.host), 'host from the Host header');
  t.same(r.endpoints.map((e: any) => e.count), [...r.endpoints.map((e: any) => e.count)].sort((a: number, b: number) => b - a), 'sorted by calls');
  t.same(r.totals.exchanges, API.endpoints.reduce((n, e) => n + e.count, 0), 'every exchange read');
  t.equal(r.totals.dropped_endpoint_cap + r.totals.dropped_node_cap, 0, 'no cap hit');
  const ep = byKey(r);
  // one parameter per kind of value: integer, uuid, hex, date at once; slugs learned by their number
  const kinds: Record<string, string> = { integer: 'integer', uuid: 'uuid', hex: 'hex', date: 'date', slug: 'string' };
  for (const e of API.endpoints.filter((x) => x.kind !== undefined)) {
    const got = ep.get(`${e.method} ${e.path}`);
    const last = got.path_parameters.at(-1);
    t.same(got.path_parameters.find((p: any) => e.path.includes(`{${p.name}}`))?.kinds, [kinds[e.kind!]], `${e.path}: ${e.kind}`);
    t.ok(last, `${e.path} has a parameter`);
  }
  t.same(ep.get('GET /api/v1/products/{productId}').path_parameters[0].examples.length, 3, 'three examples of a learned slug');
  t.same(ep.get('GET /api/v1/orders/{orderId}').path_parameters[0].examples, [], 'no example of a uuid');
  t.same(ep.get('GET /api/v1/blobs/{blobId}').path_parameters[0].examples, [], 'no example of a hex token');
});

t.test('latency, query parameters, auth schemes, header names and body schemas', async (t) => {
  const ep = byKey(await report(t, ['--pcap', API_PCAP]));
  const slow = ep.get('GET /api/v1/slow');
  t.ok(slow.latency_ms.p50 >= API.slow_ms, `p50 ${slow.latency_ms.p50} >= the server's ${API.slow_ms} ms sleep`);
  t.ok(slow.latency_ms.p50 <= slow.latency_ms.p95 && slow.latency_ms.p95 <= slow.latency_ms.p99, 'p50 <= p95 <= p99');
  for (const e of ep.values()) t.ok(e.latency_ms.p50 >= 0 && typeof e.latency_ms.p95 === 'number', `${e.path} has latency`);
  t.same(ep.get('GET /api/v1/products').query_parameters, { limit: ['integer'], page: ['integer'], q: ['string'] });
  t.same(ep.get('GET /api/v1/products/{productId}').query_parameters, { expand: ['boolean'] });
  t.same(ep.get('GET /api/v1/users/{userId}').auth, ['Bearer']);
  t.same(ep.get('GET /api/v1/reports/{reportId}').auth, ['Basic']);
  t.same(ep.get('GET /api/v1/products').auth, ['header:x-api-key']);
  t.same(ep.get('GET /health').auth, []);
  t.ok(ep.get('GET /api/v1/orders/{orderId}').request_headers.includes('cookie'), 'header names kept');
  const post = ep.get('POST /api/v1/users');
  t.same(post.request_content_types, { 'application/json': 5 });
  t.same(Object.keys(post.request_schema.properties), ['email', 'name', 'password', 'tags']);
  t.same(post.request_schema.properties.tags, { items: { type: 'string' }, type: 'array' });
  t.same(post.response_schemas['201'].properties.id, { type: 'integer' });
  t.same(Object.keys(ep.get('GET /api/v1/users/{userId}').response_schemas).sort(), ['200', '404'], 'a schema per status');
  t.ok(post.request_body_bytes.p50 > 0, 'request body sizes');
});

t.test('no credential the client sent appears in any format, redaction on or off', async (t) => {
  const exchanges = await exchangesOf(API_PCAP);
  const outputs: string[] = [];
  for (const input of [['--pcap', API_PCAP], ['--pcap', API_PCAP, '--redaction', 'off'], ['--exchanges', exchanges]]) {
    for (const format of ['json', 'table', 'openapi']) {
      const r = await inventory([...input, '--format', format]);
      t.equal(r.code, 0, `${input.join(' ')} ${format}: ${r.stderr}`);
      outputs.push(r.stdout);
    }
  }
  const yaml = tempPath('api.yaml');
  t.equal((await inventory(['--pcap', API_PCAP, '--format', 'openapi', '--out', yaml, '--redaction', 'off'])).code, 0);
  outputs.push(readFileSync(yaml, 'utf8'));
  const secrets = [...Object.values(API.secrets), Buffer.from(`${API.secrets.basicUser}:${API.secrets.basicPassword}`).toString('base64')];
  for (const s of secrets) t.ok(outputs.every((o) => !o.includes(s)), `${s.slice(0, 12)}... in no output`);
  t.ok(outputs.every((o) => !o.includes('REDACTED')), 'no redaction marker either');
});

t.test('--exchanges (apidump output) gives the same inventory as --pcap; --pcap twice counts twice', async (t) => {
  const fromPcap = await report(t, ['--pcap', API_PCAP]);
  const fromJsonl = await report(t, ['--exchanges', await exchangesOf(API_PCAP)]);
  t.same(fromJsonl, fromPcap);
  const twice = await report(t, ['--pcap', API_PCAP, '--pcap', API_PCAP]);
  t.same(twice.endpoints.map((e: any) => `${e.method} ${e.path} ${e.count}`),
    fromPcap.endpoints.map((e: any) => `${e.method} ${e.path} ${e.count * 2}`));
});

t.test('apidump\'s policy flags and --filter apply', async (t) => {
  const users = await report(t, ['--pcap', API_PCAP, '--path-allow', '^/api/v1/users']);
  t.same(endpointKeys(users.endpoints), endpointKeys(API.endpoints.filter((e) => e.path.startsWith('/api/v1/users'))));
  const noHealth = await report(t, ['--pcap', API_PCAP, '--path-exclusions', '^/health$', '--host-exclusions', 'nothing\\.test']);
  t.same(endpointKeys(noHealth.endpoints), endpointKeys(API.endpoints.filter((e) => e.path !== '/health')));
  const none = await report(t, ['--pcap', API_PCAP, '--filter', 'port 9']);
  t.same(none.endpoints, []);
  t.equal(none.totals.exchanges, 0);
  const limited = await report(t, ['--pcap', API_PCAP, '--rate-limit', '1']);
  t.ok(limited.totals.exchanges < fromTotal(), 'a rate limit given applies');
});

function fromTotal(): number {
  return API.endpoints.reduce((n, e) => n + e.count, 0);
}
