// Templates learned by cardinality, independence from the order of the exchanges, and the bounds: through
// `pcap-sensor inventory --exchanges` on apidump's output of the recorded API (shuffled) and on synthetic
// exchange records whose paths are built here, so every expected template and count follows from this code.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { validate } from '@readme/openapi-parser';
import { makePrng } from '../util/prng.js';
import { API_PCAP, exchangesOf, inventory, jsonl, record, report } from './harness.js';

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rnd = makePrng(seed);
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const counts = (r: any): Record<string, number> => Object.fromEntries(r.endpoints.map((e: any) => [`${e.method} ${e.path}`, e.count]));

t.test('the recorded API: the same report whatever the order of its exchanges', async (t) => {
  const lines = readFileSync(await exchangesOf(API_PCAP), 'utf8').split('\n').filter((l) => l !== '');
  const base = await report(t, ['--exchanges', jsonl(lines)]);
  t.ok(base.endpoints.length > 5);
  for (const seed of [1, 2, 3]) t.same(await report(t, ['--exchanges', jsonl(shuffled(lines, seed))]), base, `seed ${seed}`);
  t.same(await report(t, ['--exchanges', jsonl([...lines].reverse())]), base, 'reversed');
});

/** Paths whose learning needs merges: 30 shops (over the threshold of 24), each with 5 of 30 review names. */
function shopLines(): string[] {
  const lines: string[] = [];
  for (let s = 0; s < 30; s++) {
    const shop = `shop-${String.fromCharCode(97 + (s % 26))}${String.fromCharCode(97 + Math.floor(s / 26))}`;
    for (let k = 0; k < 5; k++) lines.push(record('GET', `/shops/${shop}/reviews/review-${String.fromCharCode(97 + ((s + k * 7) % 30))}x`));
    lines.push(record('GET', `/shops/${shop}/info`));
    lines.push(record('PUT', `/shops/${shop}`, { status: 204 }));
  }
  for (const doc of ['intro', 'setup', 'faq', 'limits', 'errors']) lines.push(record('GET', `/docs/${doc}`, { latencyMs: 3 }));
  return lines;
}

t.test('learned parameters: literals over the threshold merge with their sub-trees, whatever the order', async (t) => {
  const lines = shopLines();
  const base = await report(t, ['--exchanges', jsonl(lines)]);
  t.same(counts(base), {
    'GET /shops/{shopId}/reviews/{reviewId}': 150,
    'GET /shops/{shopId}/info': 30,
    'PUT /shops/{shopId}': 30,
    'GET /docs/intro': 1, 'GET /docs/setup': 1, 'GET /docs/faq': 1, 'GET /docs/limits': 1, 'GET /docs/errors': 1,
  });
  const put = base.endpoints.find((e: any) => e.method === 'PUT');
  t.same(put.status, { 204: 30 });
  t.same(put.path_parameters, [{ name: 'shopId', position: 1, kinds: ['string'], examples: ['shop-aa', 'shop-ab', 'shop-ba'] }]);
  for (const seed of [7, 8, 9]) t.same(await report(t, ['--exchanges', jsonl(shuffled(lines, seed))]), base, `seed ${seed}`);
  const low = await report(t, ['--exchanges', jsonl(lines), '--param-threshold', '4']);
  t.same(counts(low)['GET /docs/{docId}'], 5, '--param-threshold 4: five docs make a parameter');
});

/** 20 x 20 x 20 distinct literal paths, no position over the threshold: only the endpoint cap bounds them. */
function gridLines(): string[] {
  const lines: string[] = [];
  for (let i = 0; i < 20; i++) for (let j = 0; j < 20; j++) for (let k = 0; k < 20; k++) lines.push(record('GET', `/a${i}/b${j}/c${k}`));
  return lines;
}

t.test('the endpoint cap: endpoints kept up to it, the rest counted and shown', async (t) => {
  const lines = gridLines();
  const r = await report(t, ['--exchanges', jsonl(lines), '--max-endpoints', '300']);
  t.equal(r.endpoints.length, 300);
  t.equal(r.totals.exchanges, 8000);
  t.equal(r.totals.kept, 300);
  t.equal(r.totals.dropped_endpoint_cap, 7700, 'every exchange not kept is counted');
  t.equal(r.limits.maxEndpoints, 300);
  const again = [...lines, ...lines.slice(0, 300)];
  const r2 = await report(t, ['--exchanges', jsonl(again), '--max-endpoints', '300']);
  t.equal(r2.totals.kept, 600, 'exchanges of kept endpoints still counted once the cap is reached');
  const table = await inventory(['--exchanges', jsonl(lines), '--max-endpoints', '300', '--format', 'table']);
  t.equal(table.code, 0);
  t.match(table.stdout, /300 endpoints, 300 of 8000 exchanges; dropped_endpoint_cap 7700\n$/);
});

t.test('an API-key query parameter and several hosts', async (t) => {
  const lines = [
    record('GET', '/v2/items?api_key=SECRET-QUERY-KEY&n=3', { host: 'a.test' }),
    record('GET', '/v2/items?n=4', { host: 'b.test' }),
    record('GET', '/v2/items?n=5', { host: 'b.test' }),
  ];
  const r = await report(t, ['--exchanges', jsonl(lines)]);
  t.same(r.endpoints.map((e: any) => [e.host, e.count, e.auth]), [['b.test', 2, []], ['a.test', 1, ['query:api_key']]]);
  lines.push(record('GET', '/v2/items?n=6', { host: 'b.test', status: 999 }));
  const doc = await inventory(['--exchanges', jsonl(lines), '--format', 'openapi']);
  t.notMatch(doc.stdout, /SECRET-QUERY-KEY/);
  const parsed = JSON.parse(doc.stdout);
  t.same(parsed.servers, [{ url: 'http://a.test' }, { url: 'http://b.test' }]);
  t.same(parsed.paths['/v2/items'].get.servers, [{ url: 'http://a.test' }, { url: 'http://b.test' }]);
  t.same(Object.keys(parsed.paths['/v2/items'].get.responses), ['200'], 'a status outside 100-599 is no response key');
  t.same(parsed.paths['/v2/items'].get['x-status'], { 200: 2, 999: 1 });
  const v = await validate(parsed);
  t.ok(v.valid, JSON.stringify(v));
});

t.test('response schemas: a union of the bodies whatever their order; bodies that are not JSON counted', async (t) => {
  const bodies = [
    '{"id": 1, "name": "a", "tags": ["x"], "owner": {"id": 7}}',
    '{"id": 2, "name": "b", "tags": [], "score": 1.5}',
    ' {"id": 3, "name": null, "tags": [1, "y"], "owner": {"id": 8, "since": "2026-01-01"}, "k\\"q": true} ',
    '{"id": 4, "name": "d", "tags": ["z"], "score": 2}',
    '{"id": 5, "name": "e", "tags": ["z"]',
    '[1, 2]',
  ];
  const lines = bodies.map((json, i) => record('GET', `/things/${i + 1}`, { json }));
  const r = await report(t, ['--exchanges', jsonl(lines)]);
  t.equal(r.endpoints.length, 1);
  const e = r.endpoints[0];
  t.same(e.dropped, { bodies_not_json: 1 }, 'the cut-off body is counted, not folded');
  t.same(e.response_schemas['200'], {
    items: { type: 'integer' },
    properties: {
      id: { type: 'integer' },
      'k"q': { type: 'boolean' },
      name: { type: ['null', 'string'] },
      owner: { properties: { id: { type: 'integer' }, since: { type: 'string' } }, required: ['id'], type: 'object' },
      score: { type: 'number' },
      tags: { items: { type: ['integer', 'string'] }, type: 'array' },
    },
    required: ['id', 'name', 'tags'],
    type: ['array', 'object'],
  });
  for (const seed of [4, 5]) t.same(await report(t, ['--exchanges', jsonl(shuffled(lines, seed))]), r, `seed ${seed}`);
});

t.test('schema bounds: more than 200 keys at one position, nesting past 12 levels, each cut counted', async (t) => {
  const wide = JSON.stringify({ ok: true, byId: Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`k${i}`, i])) });
  const deep = JSON.stringify({ ok: false, n: JSON.parse('{"a":'.repeat(15) + '1' + '}'.repeat(15)) });
  const r = await report(t, ['--exchanges', jsonl([record('GET', '/wide', { json: wide }), record('GET', '/deep', { json: deep })])]);
  const by = new Map(r.endpoints.map((e: any) => [e.path, e]));
  const w: any = by.get('/wide');
  t.same(w.response_schemas['200'].properties.byId, { type: 'object' }, 'the wide position keeps its type only');
  t.same(w.response_schemas['200'].properties.ok, { type: 'boolean' }, 'its siblings are kept');
  t.same(w.dropped, { schema_cuts: 1 });
  const d: any = by.get('/deep');
  let s = d.response_schemas['200'].properties.n;
  let levels = 1;
  while (s.properties !== undefined) { s = s.properties.a; levels++; }
  t.equal(levels, 12, 'twelve levels below the body kept');
  t.same(s, { type: 'object' });
  t.ok(d.dropped.schema_cuts >= 1, 'the cut is counted');
});
