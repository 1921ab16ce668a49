import t from 'tap';
import { encodeLevoBatch, levoTraceJson, type LevoResource } from '../../src/export/levo-json.js';
import { makeExchange } from './fixtures/exchanges.js';

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

t.test('levoTraceJson is the same text as the trace in a batch', async (t) => {
  const ex = makeExchange({ reqBody: 'x', resBody: 'y' });
  const ids = Buffer.alloc(24, 7);
  const one = JSON.parse(levoTraceJson(ex, RESOURCE, ids, 0));
  const inBatch = (JSON.parse(encodeLevoBatch([ex], RESOURCE).toString()) as Array<Record<string, unknown>>)[0]!;
  t.same({ ...one, trace_id: '', span_id: '' }, { ...inBatch, trace_id: '', span_id: '' });
  t.equal(one.trace_id, '07'.repeat(16));
});
