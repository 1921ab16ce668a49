// `pcap-sensor inventory` on a recorded API (fixtures/inventory: a server and client of our own over a veth
// pair): the endpoints, templates, counts and statuses are those of the client's own log; path values, header
// names, auth schemes, query names and body sizes those of the calls it made (calls.mjs); the slow route's
// latency is at least the server's sleep; the credentials the client sent appear in no output format.
import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  API, API_CALLS, API_PCAP, API_TOTAL, callsOf, captureSpanSec, endpointKeys, exchangesOf, inventory, report, tempPath,
  type ExpectedEndpoint,
} from './harness.js';

const keyOf = (e: { method: string; path: string }): string => `${e.method} ${e.path}`;
const byKey = (r: any): Map<string, any> => new Map(r.endpoints.map((e: any) => [keyOf(e), e]));
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** What the inventory calls each kind of value the client sent (classify.ts; docs/inventory.md). */
const KINDS: Record<string, string> = { integer: 'integer', uuid: 'uuid', hex: 'hex', date: 'date', slug: 'string' };
/** Kinds whose values are never shown as examples. */
const SECRET = new Set(['uuid', 'hex']);

/** The path parameters of an endpoint: the template's names and positions, the kind, the 3 smallest values sent. */
function expectedParameters(e: ExpectedEndpoint): unknown[] {
  const segments = e.path.split('/').filter((s) => s !== '');
  return segments.flatMap((s, position) => {
    if (!s.startsWith('{')) return [];
    const values = [...new Set(callsOf(keyOf(e)).map((c) => c.path.split('/').filter((x) => x !== '')[position]!))].sort();
    return [{ name: s.slice(1, -1), position, kinds: [KINDS[e.kind!]], examples: SECRET.has(e.kind!) ? [] : values.slice(0, 3) }];
  });
}

t.test('the calls list is the recorded one', async (t) => {
  for (const e of API.endpoints) t.equal(callsOf(keyOf(e)).length, e.count, `${keyOf(e)}: calls.mjs makes the calls the client logged`);
  t.equal(API_CALLS.length, API_TOTAL);
});

t.test('endpoints, templates, counts, statuses and path parameters are the client\'s', async (t) => {
  const r = await report(t, ['--pcap', API_PCAP]);
  t.same(endpointKeys(r.endpoints), endpointKeys(API.endpoints));
  t.same(r.endpoints.map((e: any) => e.host), API.endpoints.map(() => API.host), 'host from the Host header');
  const order = [...API.endpoints].sort((a, b) => b.count - a.count || cmp(a.path, b.path) || cmp(a.method, b.method));
  t.same(r.endpoints.map(keyOf), order.map(keyOf), 'sorted by calls, then path and method');
  // trie nodes: the host's root and one per distinct template prefix (/api, /api/v1, ..., /api/v1/users/{userId}/orders)
  const prefixes = new Set(API.endpoints.flatMap((e) => e.path.split('/').filter((x) => x !== '').map((_, i, a) => a.slice(0, i + 1).join('/'))));
  t.same(r.totals, { exchanges: API_TOTAL, kept: API_TOTAL, dropped_endpoint_cap: 0, dropped_node_cap: 0, endpoints: API.endpoints.length, nodes: 1 + prefixes.size });
  const ep = byKey(r);
  // one parameter per kind of value: integer, uuid, hex, date at once; slugs learned by their number; the
  // examples are the endpoint's own values (DELETE's ids are not GET's)
  for (const e of API.endpoints) t.same(ep.get(keyOf(e)).path_parameters, expectedParameters(e), `${keyOf(e)}: path parameters`);
});

t.test('latency, header names, auth schemes, query names, content types, body sizes and schemas', async (t) => {
  const ep = byKey(await report(t, ['--pcap', API_PCAP]));
  const slow = ep.get('GET /api/v1/slow');
  t.ok(slow.latency_ms.p50 >= API.slow_ms, `p50 ${slow.latency_ms.p50} >= the server's ${API.slow_ms} ms sleep`);
  const near = (got: number, want: number): boolean => Math.abs(got - want) <= want * 0.01;
  for (const e of API.endpoints) {
    const key = keyOf(e);
    const got = ep.get(key);
    const calls = callsOf(key);
    const l = got.latency_ms;
    t.ok(l.p50 > 0 && l.p50 <= l.p95 && l.p95 <= l.p99, `${key}: 0 < p50 <= p95 <= p99 (${JSON.stringify(l)})`);
    t.same(got.request_headers, [...new Set(calls.flatMap((c) => c.headerNames))].sort(), `${key}: header names sent`);
    const auth = calls.flatMap((c) => [
      ...(c.headers.authorization === undefined ? [] : [c.headers.authorization.split(' ')[0]]),
      ...(c.headers['x-api-key'] === undefined ? [] : ['header:x-api-key']),
    ]);
    t.same(got.auth, [...new Set(auth)].sort(), `${key}: auth schemes`);
    if (calls.every((c) => !c.target.includes('?'))) t.same(got.query_parameters, {}, `${key}: no query`);
    const bodies = calls.filter((c) => c.body !== null).map((c) => c.body!.length).sort((a, b) => a - b);
    t.same(got.request_content_types, bodies.length === 0 ? {} : { 'application/json': bodies.length }, `${key}: request content types`);
    // server.mjs answers JSON, except DELETE (204, no body)
    t.same(got.response_content_types, e.status['204'] === e.count ? {} : { 'application/json': e.count }, `${key}: response content types`);
    if (bodies.length === 0) t.same(got.request_body_bytes, { p50: 0, p95: 0, p99: 0 }, `${key}: no request body`);
    else {
      // the value at rank q x (n - 1), within the sketch's 1 %
      const at = (q: number): number => bodies[Math.round(q * (bodies.length - 1))]!;
      t.ok(near(got.request_body_bytes.p50, at(0.5)) && near(got.request_body_bytes.p99, at(0.99)), `${key}: body sizes ${JSON.stringify(got.request_body_bytes)} of ${bodies.join(', ')}`);
    }
  }
  t.same(ep.get('GET /api/v1/products').query_parameters, { limit: ['integer'], page: ['integer'], q: ['string'] });
  t.same(ep.get('GET /api/v1/products/{productId}').query_parameters, { expand: ['boolean'] });
  t.same(ep.get('GET /api/v1/users/{userId}/orders').query_parameters, { status: ['string'] });
  const post = ep.get('POST /api/v1/users');
  t.same(post.request_schema, {
    properties: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' }, tags: { items: { type: 'string' }, type: 'array' } },
    required: ['email', 'name', 'password', 'tags'], type: 'object',
  }, 'the request schema: every key in every body; tags holds strings where it holds anything');
  t.same(post.response_schemas['201'].properties.id, { type: 'integer' });
  t.same(Object.keys(ep.get('GET /api/v1/users/{userId}').response_schemas).sort(), Object.keys(API.endpoints.find((e) => e.path === '/api/v1/users/{userId}' && e.method === 'GET')!.status).sort(), 'a schema per status');
});

t.test('no credential the client sent appears in any format, redaction on or off', async (t) => {
  const exchanges = await exchangesOf(API_PCAP);
  const outputs: string[] = [];
  for (const input of [['--pcap', API_PCAP], ['--pcap', API_PCAP, '--redaction', 'off'], ['--exchanges', exchanges]]) {
    for (const format of ['json', 'table', 'openapi', 'html']) {
      const r = await inventory([...input, '--format', format]);
      t.equal(r.code, 0, `${input.join(' ')} ${format}: ${r.stderr}`);
      outputs.push(r.stdout);
    }
  }
  const yaml = tempPath('api.yaml');
  t.equal((await inventory(['--pcap', API_PCAP, '--format', 'openapi', '--out', yaml, '--redaction', 'off'])).code, 0);
  outputs.push(readFileSync(yaml, 'utf8'));
  const secrets = [...Object.values(API.secrets), Buffer.from(`${API.secrets.basicUser}:${API.secrets.basicPassword}`).toString('base64')];
  for (const s of secrets) t.same(outputs.filter((o) => o.includes(s)).length, 0, `${s.slice(0, 12)}... in no output`);
  t.same(outputs.filter((o) => /redacted/i.test(o)).length, 0, 'no redaction marker either');
});

t.test('--exchanges (apidump output) gives the same inventory as --pcap; --pcap twice counts twice', async (t) => {
  const fromPcap = await report(t, ['--pcap', API_PCAP]);
  const fromJsonl = await report(t, ['--exchanges', await exchangesOf(API_PCAP)]);
  t.same(fromJsonl, fromPcap);
  const twice = await report(t, ['--pcap', API_PCAP, '--pcap', API_PCAP]);
  t.same(endpointKeys(twice.endpoints), endpointKeys(API.endpoints.map((e) => ({
    ...e, count: e.count * 2, status: Object.fromEntries(Object.entries(e.status).map(([k, n]) => [k, n * 2])),
  }))));
});

t.test('apidump\'s policy flags and --filter apply', async (t) => {
  const users = await report(t, ['--pcap', API_PCAP, '--path-allow', '^/api/v1/users']);
  t.same(endpointKeys(users.endpoints), endpointKeys(API.endpoints.filter((e) => e.path.startsWith('/api/v1/users'))));
  const noHealth = await report(t, ['--pcap', API_PCAP, '--path-exclusions', '^/health$', '--host-exclusions', 'nothing\\.test']);
  t.same(endpointKeys(noHealth.endpoints), endpointKeys(API.endpoints.filter((e) => e.path !== '/health')));
  const otherHost = await report(t, ['--pcap', API_PCAP, '--host-allow', '^other\\.test$']);
  t.same([otherHost.endpoints, otherHost.totals.exchanges], [[], 0], 'no exchange of an allowed host');
  const none = await report(t, ['--pcap', API_PCAP, '--filter', 'port 9']);
  t.same([none.endpoints, none.totals.exchanges], [[], 0]);
  // --rate-limit 1: a bucket of one token (at least 1), refilled once a minute: one exchange in a shorter capture,
  // the client's first call (GET /api/v1/products, four at once)
  t.ok(captureSpanSec(API_PCAP) < 60, 'the recording is shorter than a minute');
  const limited = await report(t, ['--pcap', API_PCAP, '--rate-limit', '1']);
  t.same(endpointKeys(limited.endpoints), ['GET /api/v1/products 1 {"200":1}'], 'a rate limit given applies');
  t.equal(limited.totals.exchanges, 1);
});
