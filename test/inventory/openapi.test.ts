// `inventory --format openapi`: a document @readme/openapi-parser validates (JSON on stdout, YAML for a .yaml
// --out), one operation per endpoint of the recorded API, typed path and query parameters, request bodies and
// a response per status code with the inferred schemas.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { validate } from '@readme/openapi-parser';
import { API, API_PCAP, inventory, tempPath } from './harness.js';

async function openapi(t: Test, args: string[] = []): Promise<any> {
  const r = await inventory(['--pcap', API_PCAP, '--format', 'openapi', ...args]);
  t.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Validates a document (a copy: the validator dereferences in place). */
async function valid(doc: unknown): Promise<{ valid: boolean; text: string }> {
  const r = await validate(structuredClone(doc) as any);
  return { valid: r.valid, text: JSON.stringify(r) };
}

t.test('the document validates; the validator does refuse a broken one', async (t) => {
  const doc = await openapi(t);
  const v = await valid(doc);
  t.ok(v.valid, v.text);
  const broken = structuredClone(doc);
  delete broken.paths['/api/v1/users/{userId}'].get.parameters;
  t.notOk((await valid(broken)).valid, 'a path parameter left undeclared is refused');
});

t.test('servers, one operation per endpoint, typed parameters, bodies and responses', async (t) => {
  const doc = await openapi(t);
  t.same(doc.servers, [{ url: `http://${API.host}` }]);
  const ops: string[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) for (const m of Object.keys(item)) ops.push(`${m.toUpperCase()} ${path}`);
  t.same(ops.sort(), API.endpoints.map((e) => `${e.method} ${e.path}`).sort());
  const param = (path: string, name: string, method = 'get'): any => doc.paths[path][method].parameters.find((p: any) => p.name === name);
  t.same(param('/api/v1/users/{userId}', 'userId'), { name: 'userId', in: 'path', required: true, schema: { type: 'integer' }, example: 1 });
  t.same(param('/api/v1/orders/{orderId}', 'orderId').schema, { type: 'string', format: 'uuid' });
  t.same(param('/api/v1/reports/{reportId}', 'reportId').schema, { type: 'string', format: 'date' });
  t.same(param('/api/v1/products/{productId}', 'productId').schema, { type: 'string' });
  t.same(param('/api/v1/products', 'page'), { name: 'page', in: 'query', required: false, schema: { type: 'integer' } });
  t.same(param('/api/v1/products/{productId}', 'expand').schema, { type: 'boolean' });
  const post = doc.paths['/api/v1/users'].post;
  t.same(Object.keys(post.requestBody.content), ['application/json']);
  t.equal(post.requestBody.content['application/json'].schema.properties.name.type, 'string');
  t.same(Object.keys(post.responses), ['201']);
  const user = doc.paths['/api/v1/users/{userId}'].get;
  t.same(Object.keys(user.responses).sort(), ['200', '404']);
  t.same(user.responses['404'].content['application/json'].schema.properties.error, { type: 'string' });
  t.same(doc.paths['/api/v1/users/{userId}'].delete.responses['204'].content, undefined, 'no body, no content');
  t.equal(user['x-calls'], API.endpoints.find((e) => e.path === '/api/v1/users/{userId}' && e.method === 'GET')!.count);
});

t.test('YAML when --out ends in .yaml or .yml; the same document', async (t) => {
  const json = await openapi(t);
  for (const ext of ['yaml', 'yml']) {
    const out = tempPath(`api.${ext}`);
    const r = await inventory(['--pcap', API_PCAP, '--format', 'openapi', '--out', out]);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, '', 'nothing on stdout');
    const text = readFileSync(out, 'utf8');
    t.notOk(text.trimStart().startsWith('{'), 'not JSON');
    const doc = parseYaml(text);
    t.same(doc, json);
    const v = await valid(doc);
    t.ok(v.valid, v.text);
  }
  const out = tempPath('api.json');
  t.equal((await inventory(['--pcap', API_PCAP, '--format', 'openapi', '--out', out])).code, 0);
  t.same(JSON.parse(readFileSync(out, 'utf8')), json, '.json: JSON');
});
