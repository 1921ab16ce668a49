import t from 'tap';
import { encodeLevoBatch, LevoBatchEncoder, type LevoResource } from '../../src/export/levo-json.js';
import type { HttpExchange } from '../../src/http/types.js';
import { makeExchange } from './fixtures/exchanges.js';
import { makePrng } from '../util/prng.js';

const RESOURCE: LevoResource = { service_name: 's"vc', host_name: 'h', levo_env: 'e', sensor_type: 't', sensor_version: '1' };

t.test('a batch is a JSON array of traces; bodies, text with escapes and exact nanosecond times survive', async (t) => {
  const body = Buffer.from([0, 1, 2, 250, 34, 92]);
  const a = makeExchange({
    id: 1, target: '/p?q="x"', reqBody: 'req\u00e9', resBody: body, startSec: 1_700_000_000, startNsec: 123_456_789,
    endSec: 1_700_000_001, endNsec: 1, reqHeaders: [['Host', 'h'], ['X-Q', 'a "b" \\ \ud83d\ude00'], ['x-q', 'second']],
  });
  const b = makeExchange({ id: 2, status: null, rolesSwapped: true });
  const buf = encodeLevoBatch([a, b], RESOURCE);
  const text = buf.toString('utf8');
  const parsed = JSON.parse(text) as Array<Record<string, any>>;
  t.equal(parsed.length, 2);
  const [ta, tb] = parsed;
  t.equal(Buffer.from(ta!.request.body, 'base64').toString('utf8'), 'req\u00e9');
  t.same(Buffer.from(ta!.response.body, 'base64'), body);
  t.equal(ta!.request.headers[':path'], '/p?q="x"');
  t.equal(ta!.request.headers['x-q'], 'a "b" \\ \ud83d\ude00, second', 'repeated headers joined');
  t.equal(ta!.response.headers[':status'], '200');
  t.same(ta!.resource, RESOURCE);
  t.match(text, /^\[\{"duration_ns":876543212,"request_time_ns":1700000000123456789,/, 'exact integer literals');
  t.match(ta!.trace_id, /^[0-9a-f]{32}$/);
  t.match(ta!.span_id, /^[0-9a-f]{16}$/);
  t.not(ta!.trace_id, tb!.trace_id, 'each trace has its own ids');
  t.same(tb!.response, { headers: {}, body: '', truncated: false }, 'no response: empty headers and body');
  t.same(tb!.local_net, { ip: '10.1.2.3', port: 51234 }, 'roles swapped: the server is the captured client side');
  t.same(tb!.remote_net, { ip: '10.9.8.7', port: 8080 });
  t.equal(buf.length, Buffer.byteLength(text), 'no slack bytes at the end');
  t.same(encodeLevoBatch([], RESOURCE).toString(), '[]');
});

/**
 * Reference: the trace as JSON.stringify writes its parts, built from objects (integers too large for a
 * double spliced in as text), with the ids the encoder drew replaced by the ones given.
 */
function referenceTrace(ex: HttpExchange, resource: LevoResource, traceId: string, spanId: string): string {
  const c = ex.conn;
  const server = ex.rolesSwapped ? { ip: c.clientIp, port: c.clientPort } : { ip: c.serverIp, port: c.serverPort };
  const client = ex.rolesSwapped ? { ip: c.serverIp, port: c.serverPort } : { ip: c.clientIp, port: c.clientPort };
  const object = (pseudo: Array<[string, string]>, headers: Array<[string, string]>): Record<string, string> => {
    const o = Object.create(null) as Record<string, string>;
    for (const [k, v] of pseudo) o[k] = v;
    for (const [n, v] of headers) {
      const k = n.toLowerCase();
      if (k.startsWith(':')) continue;
      o[k] = o[k] === undefined ? v : `${o[k]}, ${v}`;
    }
    return o;
  };
  const rq = ex.request;
  const rs = ex.response;
  const authority = rq.host ?? (server.ip.includes(':') ? `[${server.ip}]:${server.port}` : `${server.ip}:${server.port}`);
  const duration = (BigInt(ex.endSec) * 1_000_000_000n + BigInt(ex.endNsec)) - (BigInt(ex.startSec) * 1_000_000_000n + BigInt(ex.startNsec));
  const start = BigInt(ex.startSec) * 1_000_000_000n + BigInt(ex.startNsec);
  const b64 = (b: Buffer | null | undefined): string => (b ? b.toString('base64') : '');
  return `{"duration_ns":${duration > 0n ? duration : 0n},"request_time_ns":${start},"http_scheme":"http",` +
    `"request":${JSON.stringify({ headers: object([[':method', rq.method], [':path', rq.target], [':authority', authority]], rq.headers), body: b64(rq.body.bytes), truncated: rq.body.truncated })},` +
    `"response":${JSON.stringify({ headers: rs === null ? {} : object([[':status', String(rs.status)]], rs.headers), body: b64(rs?.body.bytes), truncated: rs === null ? false : rs.body.truncated })},` +
    `"resource":${JSON.stringify(resource)},"trace_id":"${traceId}","span_id":"${spanId}","span_kind":"SERVER",` +
    `"local_net":${JSON.stringify(server)},"remote_net":${JSON.stringify(client)}}`;
}

t.test('randomised batches: byte for byte the reference text (repeats, digit and colon names, escapes, non-ASCII)', async (t) => {
  const rnd = makePrng(31);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const text = (): string => {
    let s = '';
    for (let n = Math.floor(rnd() * 10); n > 0; n--) s += rnd() < 0.8 ? String.fromCharCode(0x20 + Math.floor(rnd() * 95)) : pick(['"', '\\', '\u0001', 'é', '\u2028', '\ud83d', '\ude00']);
    return s;
  };
  const name = (): string => pick(['Host', 'Content-Type', 'content-type', 'X-Id', 'x-id', ':path', '123', '0', '__proto__', 'Set-Cookie', text()]);
  let bad = 0;
  for (let round = 0; round < 200; round++) {
    const batch: HttpExchange[] = [];
    for (let i = 0, n = 1 + Math.floor(rnd() * 4); i < n; i++) {
      const headers = (): Array<[string, string]> => Array.from({ length: Math.floor(rnd() * (rnd() < 0.1 ? 40 : 6)) }, () => [name(), text()]);
      batch.push(makeExchange({
        id: i, target: '/' + text(), host: rnd() < 0.2 ? null : text(), reqHeaders: headers(), resHeaders: headers(),
        reqBody: rnd() < 0.5 ? undefined : text(), resBody: rnd() < 0.3 ? undefined : Buffer.from(text() + text(), 'utf8'),
        status: rnd() < 0.1 ? null : 100 + Math.floor(rnd() * 500), rolesSwapped: rnd() < 0.5,
        startNsec: Math.floor(rnd() * 1e9), endSec: 1_700_000_000 + Math.floor(rnd() * 3), endNsec: Math.floor(rnd() * 1e9),
      }));
    }
    const resource = { ...RESOURCE, service_name: text() };
    const out = encodeLevoBatch(batch, resource).toString('utf8');
    const parsed = JSON.parse(out) as Array<{ trace_id: string; span_id: string }>;
    const expected = '[' + batch.map((ex, i) => referenceTrace(ex, resource, parsed[i]!.trace_id, parsed[i]!.span_id)).join(',') + ']';
    if (out !== expected) {
      bad++;
      if (bad === 1) {
        let k = 0;
        while (k < out.length && out[k] === expected[k]) k++;
        t.fail(`round ${round} differs at ${k}: ${JSON.stringify(out.slice(k - 80, k + 60))} vs ${JSON.stringify(expected.slice(k - 80, k + 60))}`);
      }
    }
  }
  t.equal(bad, 0, 'every batch byte-identical to the reference');
});

t.test('one encoder, many batches: each payload is its own copy, the buffer is reused', async (t) => {
  const enc = new LevoBatchEncoder(RESOURCE);
  const small = enc.encode([makeExchange({ id: 1 })]);
  const big = enc.encode([makeExchange({ id: 2, resBody: Buffer.alloc(3 * 1024 * 1024, 1) })]);
  const again = enc.encode([makeExchange({ id: 3 })]);
  t.equal((JSON.parse(small.toString()) as unknown[]).length, 1);
  t.equal(Buffer.from((JSON.parse(big.toString()) as Array<{ response: { body: string } }>)[0]!.response.body, 'base64').length, 3 * 1024 * 1024);
  t.equal((JSON.parse(small.toString()) as Array<{ local_net: { port: number } }>)[0]!.local_net.port, 8080, 'an earlier payload is not overwritten');
  t.equal(again.length, Buffer.byteLength(again.toString()), 'no slack');
});
