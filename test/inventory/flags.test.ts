// apidump's flags on `pcap-sensor inventory`, each run as a process on a recorded capture (or one derived from
// it, derived-captures.ts) and checked for its effect against the ground truth: --exclude-user-agent,
// --rate-limit-per-endpoint, --redact-header, --redact-body-field, --stream-timeout-seconds; and the html
// format chosen by an --out ending in .htm as by .html.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { API, API_PCAP, API_TOTAL, callsOf, captureSpanSec, endpointKeys, inventory, report, tempPath, type ExpectedEndpoint } from './harness.js';
import { apiWithCurl, lateResponse } from './derived-captures.js';
import { expected } from '../cli/runtime-harness.js';

const keyOf = (e: { method: string; path: string }): string => `${e.method} ${e.path}`;
const byKey = (r: any): Map<string, any> => new Map(r.endpoints.map((e: any) => [keyOf(e), e]));

t.test('--exclude-user-agent drops the requests of matching user agents, and only those', async (t) => {
  const merged = apiWithCurl();
  const curl = expected('curl-variety');
  const all = await report(t, ['--pcap', merged]);
  t.equal(all.totals.exchanges, API_TOTAL + curl.length, 'both recordings without the flag');
  const curlHost = curl[0]!.host!;
  t.equal(all.endpoints.filter((e: any) => e.host === curlHost).reduce((n: number, e: any) => n + e.count, 0), curl.length, 'curl\'s exchanges under its host');
  const noCurl = await report(t, ['--pcap', merged, '--exclude-user-agent', '^curl/']);
  t.same(endpointKeys(noCurl.endpoints), endpointKeys(API.endpoints), 'curl\'s requests gone, the User-Agent-less ones all kept');
  t.equal(noCurl.totals.exchanges, API_TOTAL);
  const other = await report(t, ['--pcap', merged, '--exclude-user-agent', '^Wget/', '--exclude-user-agent', '^kube-probe/']);
  t.equal(other.totals.exchanges, API_TOTAL + curl.length, 'patterns that match no agent drop nothing');
});

/** A path segment the per-endpoint limit counts as an identifier (docs/policy.md, `normaliseEndpointPath`). */
function isId(s: string): boolean {
  return /^\d+$/.test(s) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)
    || (/^[0-9a-f]{16,}$/i.test(s) && /\d/.test(s)) || (/^[A-Za-z0-9_+=-]{20,}$/.test(s) && /\d/.test(s) && /[A-Za-z]/.test(s));
}

t.test('--rate-limit-per-endpoint 6: one exchange per rate-limit endpoint in a capture under 10 s', async (t) => {
  // 6 a minute: a bucket of 1 token (6 / 6) per endpoint, refilled every 10 s, so each bucket keeps its first request
  t.ok(captureSpanSec(API_PCAP) < 10, 'the recording is shorter than one refill');
  const bucketsOf = (e: ExpectedEndpoint): number =>
    new Set(callsOf(keyOf(e)).map((c) => `${c.method} ${c.path.split('/').map((s) => (isId(s) ? '{id}' : s)).join('/')}`)).size;
  const r = await report(t, ['--pcap', API_PCAP, '--rate-limit-per-endpoint', '6']);
  const want = Object.fromEntries(API.endpoints.map((e) => [keyOf(e), bucketsOf(e)]));
  t.same(Object.fromEntries(r.endpoints.map((e: any) => [keyOf(e), e.count])), want,
    'one per limit key: ids (integers, UUIDs, hex) share a key; each product slug and each report date has its own');
  t.equal(r.totals.exchanges, Object.values(want).reduce((n, c) => n + c, 0));
  const all = await report(t, ['--pcap', API_PCAP, '--rate-limit-per-endpoint', '0']);
  t.equal(all.totals.exchanges, API_TOTAL, '0: no limit');
});

t.test('--redact-header: a hidden Content-Type is no content type (no schema), never its marker; names stay', async (t) => {
  const outputs: string[] = [];
  for (const format of ['json', 'openapi', 'table', 'html']) {
    const r = await inventory(['--pcap', API_PCAP, '--redact-header', 'content-type', '--redact-header', 'connection', '--format', format]);
    t.equal(r.code, 0, r.stderr);
    outputs.push(r.stdout);
  }
  t.same(outputs.filter((o) => /redacted/i.test(o)).length, 0, 'no redaction marker in any format');
  const hidden = JSON.parse(outputs[0]!);
  t.same(endpointKeys(hidden.endpoints), endpointKeys(API.endpoints), 'every exchange still counted');
  // the client sends a Content-Type with each JSON body (harness.ts, API_CALLS)
  const withBody = (key: string): number => callsOf(key).filter((c) => c.body !== null).length;
  for (const e of hidden.endpoints) {
    t.same([e.request_content_types, e.response_content_types, e.request_schema, e.response_schemas], [{}, {}, null, {}], `${keyOf(e)}: no content type, no schema`);
    t.equal(e.request_headers.includes('content-type'), withBody(keyOf(e)) > 0, `${keyOf(e)}: content-type named exactly where a call had a body`);
    t.ok(e.request_headers.includes('connection'), `${keyOf(e)}: connection named`);
  }
  const off = byKey(await report(t, ['--pcap', API_PCAP, '--redaction', 'off', '--redact-header', 'content-type']));
  const sent = API.endpoints.find((e) => withBody(keyOf(e)) > 0)!;
  t.same(off.get(keyOf(sent)).request_content_types, { 'application/json': withBody(keyOf(sent)) }, '--redaction off: the content type sent');
  t.ok(off.get(keyOf(sent)).request_schema !== null, '--redaction off: the schema');
});

t.test('--redact-body-field: the field\'s value is the marker, a string, in the schemas; never the marker itself', async (t) => {
  const schemaOf = async (args: string[]): Promise<Map<string, any>> => {
    const r = await inventory(['--pcap', API_PCAP, '--format', 'json', ...args]);
    t.equal(r.code, 0, r.stderr);
    t.notMatch(r.stdout, /redacted/i, `${args.join(' ')}: no marker`);
    return byKey(JSON.parse(r.stdout));
  };
  const plain = await schemaOf([]);
  const hidden = await schemaOf(['--redact-body-field', 'tags', '--redact-body-field', 'id']);
  const off = await schemaOf(['--redaction', 'off', '--redact-body-field', 'tags']);
  const tags = (m: Map<string, any>): unknown => m.get('POST /api/v1/users').request_schema.properties.tags;
  t.same(tags(plain), { items: { type: 'string' }, type: 'array' }, 'the arrays the client sent');
  t.same(tags(hidden), { type: 'string' }, 'a hidden field is a string');
  t.same(tags(off), { items: { type: 'string' }, type: 'array' }, '--redaction off: the arrays again');
  t.same(hidden.get('POST /api/v1/users').response_schemas['201'].properties.id, { type: 'string' }, 'in responses too');
  t.same(plain.get('POST /api/v1/users').response_schemas['201'].properties.id, { type: 'integer' });
  t.same(hidden.get('POST /api/v1/users').request_schema.properties.name, { type: 'string' }, 'other fields as sent');
});

t.test('--stream-timeout-seconds: a response held back 3 s is a gap only when the timeout is shorter', async (t) => {
  const port = Number(API.host.split(':')[1]);
  const pcap = lateResponse(port, 3);
  const e404 = API.endpoints.filter((e) => e.status['404'] !== undefined);
  t.equal(e404.length, 1, 'one endpoint answers 404 in the recording');
  const lost = e404[0]!;
  const full = (r: any): string[] => r.endpoints.map((e: any) => `${keyOf(e)} ${e.count} ${JSON.stringify(e.status)} ${e.no_response}`).sort();
  const truth = API.endpoints.map((e) => `${keyOf(e)} ${e.count} ${JSON.stringify(e.status)} 0`).sort();
  for (const args of [[], ['--stream-timeout-seconds', '5']]) {
    t.same(full(await report(t, ['--pcap', pcap, ...args])), truth, `${args.join(' ') || 'default 10 s'}: the late segment fills the hole`);
  }
  const gapped = API.endpoints.map((e) => (e !== lost ? `${keyOf(e)} ${e.count} ${JSON.stringify(e.status)} 0`
    : `${keyOf(e)} ${e.count} ${JSON.stringify({ ...e.status, 404: e.status['404']! - 1 })} 1`)).sort();
  for (const s of ['1', '0.001']) {
    t.same(full(await report(t, ['--pcap', pcap, '--stream-timeout-seconds', s])), gapped, `${s} s: the 404 is given up, its request has no response`);
  }
});

t.test('--out FILE.htm writes the html page, as .html does; --format still wins', async (t) => {
  for (const name of ['api.htm', 'API.HTML']) {
    const out = tempPath(name);
    const r = await inventory(['--pcap', API_PCAP, '--out', out]);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, '');
    t.match(readFileSync(out, 'utf8'), /^<!DOCTYPE html>/, `${name}: html`);
  }
  const json = tempPath('api.htm');
  t.equal((await inventory(['--pcap', API_PCAP, '--out', json, '--format', 'json'])).code, 0);
  t.equal(JSON.parse(readFileSync(json, 'utf8')).totals.exchanges, API_TOTAL, '--format json into a .htm file');
  const xhtml = tempPath('api.xhtml');
  t.equal((await inventory(['--pcap', API_PCAP, '--out', xhtml])).code, 0);
  t.equal(JSON.parse(readFileSync(xhtml, 'utf8')).totals.exchanges, API_TOTAL, 'another ending: json (not a terminal)');
});
