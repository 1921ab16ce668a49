// `inventory --format html` (and --out *.html) in headless Chromium: the page renders with no console error
// or exception and no network request, its table shows what the JSON report says for the recorded capture,
// sorting and filtering work when clicked and typed, traffic text cannot inject markup or script (a path
// with `</script>`), and the page's size stays bounded.
import t, { type Test } from 'tap';
import { readFileSync, statSync } from 'node:fs';
import { API, API_PCAP, API_TOTAL, endpointKeys, inventory, jsonl, record, report, tempPath } from './harness.js';
import { haveChromium, startBrowser, type PageResult } from './browser.js';

const ROWS = `[...document.querySelectorAll('#endpoints tbody tr')].filter((r) => !r.hidden).map((r) =>
  [...r.querySelectorAll('td')].slice(0, 4).map((c) => c.textContent).concat(r.querySelector('.status-text').textContent))`;
const click = (key: string): string => `(document.querySelector('#endpoints th[data-key="${key}"]').click(), ${ROWS})`;
const type = (text: string): string => `(() => { const f = document.getElementById('filter'); f.value = ${JSON.stringify(text)};
  f.dispatchEvent(new Event('input')); return { rows: ${ROWS}, shown: document.getElementById('shown').textContent }; })()`;

function clean(t: Test, r: PageResult, url: string): void {
  t.same(r.consoleErrors, [], 'no console error');
  t.same(r.exceptions, [], 'no exception');
  t.same(r.requests, [url], 'no request but the page itself');
}

const statusText = (s: Record<string, number>, none: number): string =>
  [...Object.entries(s).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, n]) => `${k}:${n}`), ...(none > 0 ? [`none:${none}`] : [])].join(' ');

t.test('--out x.html chooses html; the page is self-contained', async (t) => {
  const out = tempPath('api.html');
  const r = await inventory(['--pcap', API_PCAP, '--out', out]);
  t.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  t.match(html, /^<!DOCTYPE html>/);
  t.notMatch(html, /<(script|img|link|iframe)[^>]+(src|href)=/i, 'no external script, image or style');
  t.notMatch(html, /url\(|@import|@font-face/i, 'no external resource in the style');
  t.match(html, /Content-Security-Policy" content="default-src 'none'/, 'a policy that forbids loading anything');
});

/** The page's column keys and the report value each sorts by (docs/inventory.md, "The HTML page"). */
const VALUE: Record<string, (e: any) => string | number> = {
  host: (e) => e.host, method: (e) => e.method, path: (e) => e.path, count: (e) => e.count,
  errors: (e) => e.no_response + Object.entries(e.status).filter(([code]) => !/^[123]/.test(code)).reduce((n, [, c]) => n + (c as number), 0),
  p50: (e) => e.latency_ms?.p50 ?? -1, p95: (e) => e.latency_ms?.p95 ?? -1, p99: (e) => e.latency_ms?.p99 ?? -1,
};
const TEXT = new Set(['host', 'method', 'path']);

/** The report's endpoints sorted by a column: text A-Z, numbers largest first (or the other way); ties in report order. */
function sortedBy(endpoints: any[], key: string, desc: boolean): any[] {
  return endpoints.map((e, i) => ({ e, i })).sort((a, b) => {
    const x = VALUE[key]!(a.e), y = VALUE[key]!(b.e);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return (desc ? -c : c) || a.i - b.i;
  }).map(({ e }) => e);
}

t.test('in Chromium: the table is the JSON report; sorting and filtering work', { skip: !haveChromium && 'no /usr/bin/chromium (scripts/setup.sh installs it)' }, async (t) => {
  const json = await report(t, ['--pcap', API_PCAP]);
  const out = tempPath('api.html');
  t.equal((await inventory(['--pcap', API_PCAP, '--format', 'html', '--out', out])).code, 0);
  // clicks, in order: a second click on the same head turns the direction
  const clicks = ['path', 'path', 'count', 'count', 'p50', 'method', 'errors', 'p99', 'host'];
  // each field on its own: 'get /api' spans the method and the path, so it keeps no row; spaces around are ignored
  const filters = ['USERS', 'delete', '{', '8080', 'get /api', '  Users ', 'no-such-text', ''];
  const browser = await startBrowser(t);
  const url = `file://${out}`;
  const r = await browser.page(url, [
    { eval: ROWS },
    { eval: `[...document.querySelectorAll('#endpoints svg.status-chart')].length + ' ' + [...document.querySelectorAll('#endpoints svg.latency-chart')].length` },
    { eval: `document.getElementById('sum-exchanges').textContent + ' ' + document.getElementById('sum-endpoints').textContent` },
    ...clicks.map((k) => ({ eval: click(k) })),
    ...filters.map((f) => ({ eval: type(f) })),
  ]);
  clean(t, r, url);
  const [rows, charts, sums] = r.results;
  const rowsOf = (list: any[]): string[][] => list.map((e) => [e.host, e.method, e.path, String(e.count), statusText(e.status, e.no_response)]);
  t.same(rows, rowsOf(json.endpoints), 'rows, in the report order: host, method, path, calls, status mix');
  t.same(endpointKeys(json.endpoints), endpointKeys(API.endpoints), 'the capture\'s ground truth');
  t.equal(charts, `${API.endpoints.length} ${API.endpoints.length}`, 'a status and a latency chart per endpoint (each has responses)');
  t.equal(sums, `${API_TOTAL} ${API.endpoints.length}`, 'summary: exchanges and endpoints');
  let last: { key: string; desc: boolean } | null = null;
  let shown = json.endpoints;
  clicks.forEach((key, i) => {
    const desc = last?.key === key ? !last.desc : !TEXT.has(key);
    last = { key, desc };
    shown = sortedBy(json.endpoints, key, desc);
    t.same(r.results[3 + i], rowsOf(shown), `click ${i + 1} on ${key}: ${desc ? 'descending' : 'ascending'}, ties in report order`);
  });
  filters.forEach((text, i) => {
    const q = text.trim().toLowerCase();
    const want = shown.filter((e: any) => [e.host, e.method, e.path].some((v: string) => v.toLowerCase().includes(q)));
    const got = r.results[3 + clicks.length + i];
    t.same(got.rows, rowsOf(want), `filter ${JSON.stringify(text)}: the rows whose host, method or path contains it, in the sorted order`);
    if (text === 'get /api') {
      t.equal(want.length, 0, 'no field holds it');
      t.ok(shown.some((e: any) => `${e.method} ${e.path}`.toLowerCase().includes(q)), 'though method and path together would');
    }
    t.equal(got.shown, String(want.length), `filter ${JSON.stringify(text)}: ${want.length} shown`);
  });
});

t.test('traffic text cannot break out of the markup or the script data', { skip: !haveChromium && 'no /usr/bin/chromium' }, async (t) => {
  const evilPath = '/x/</script><script>window.__pwned=1</script>';
  const evilHost = '"><img src=x onerror="window.__pwned=2">';
  const input = jsonl([
    record('GET', evilPath, { host: evilHost }),
    record('GET', `/y/<!--<script>`, { host: 'api.test' }),
    record('GET', '/z/&amp;\u2028', { host: 'api.test' }),
  ], 'evil.jsonl');
  const json = await report(t, ['--exchanges', input]);
  const out = tempPath('evil.html');
  t.equal((await inventory(['--exchanges', input, '--out', out])).code, 0);
  const html = readFileSync(out, 'utf8');
  t.equal(html.match(/<\/script>/g)?.length, 2, 'only the page\'s own two script elements close');
  const browser = await startBrowser(t);
  const url = `file://${out}`;
  const r = await browser.page(url, [
    { eval: 'typeof window.__pwned' },
    { eval: `document.querySelectorAll('img').length + ' ' + document.querySelectorAll('script').length` },
    { eval: ROWS },
    { eval: `JSON.parse(document.getElementById('inventory-data').textContent).map((d) => d[0] + ' ' + d[2])` },
  ]);
  clean(t, r, url);
  const [pwned, elements, rows, data] = r.results;
  t.equal(pwned, 'undefined', 'no injected script ran');
  t.equal(elements, '0 2', 'no injected element');
  t.same(rows.map((c: string[]) => `${c[0]} ${c[2]}`).sort(), json.endpoints.map((e: any) => `${e.host} ${e.path}`).sort(), 'the text shown is the text captured');
  t.same([...data].sort(), json.endpoints.map((e: any) => `${e.host} ${e.path}`).sort(), 'the script data reads back as captured');
  t.ok(json.endpoints.some((e: any) => e.path.includes('</script>')), 'the report has a path with </script>');
});

t.test('page size is bounded: 2000 rows at most, the rest counted', async (t) => {
  const lines: string[] = [];
  // distinct first segments never merge into a parameter (each position has one literal per host)
  for (let i = 0; i < 2100; i++) lines.push(record('GET', `/svc${i}/items`, { host: `h${i % 30}.test`, latencyMs: 1 + (i % 50) }));
  const input = jsonl(lines, 'many.jsonl');
  const out = tempPath('many.html');
  const r = await inventory(['--exchanges', input, '--out', out, '--max-endpoints', '5000', '--param-threshold', '100']);
  t.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  t.equal(html.match(/<tr data-i=/g)?.length, 2000, '2000 rows');
  t.match(html, /rows not shown on this page 100/, 'the rows left out are counted');
  t.ok(statSync(out).size < 2 * 1024 * 1024, `under 2 MiB (${statSync(out).size} bytes)`);
});
