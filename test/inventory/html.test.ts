// `inventory --format html` (and --out *.html) in headless Chromium: the page renders with no console error
// or exception and no network request, its table shows what the JSON report says for the recorded capture,
// sorting and filtering work when clicked and typed, traffic text cannot inject markup or script (a path
// with `</script>`), and the page's size stays bounded.
import t, { type Test } from 'tap';
import { readFileSync, statSync } from 'node:fs';
import { API, API_PCAP, endpointKeys, inventory, jsonl, record, report, tempPath } from './harness.js';
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

t.test('in Chromium: the table is the JSON report; sorting and filtering work', { skip: !haveChromium && 'no /usr/bin/chromium (scripts/setup.sh installs it)' }, async (t) => {
  const json = await report(t, ['--pcap', API_PCAP]);
  const out = tempPath('api.html');
  t.equal((await inventory(['--pcap', API_PCAP, '--format', 'html', '--out', out])).code, 0);
  const browser = await startBrowser(t);
  const url = `file://${out}`;
  const r = await browser.page(url, [
    { eval: ROWS },
    { eval: `[...document.querySelectorAll('#endpoints svg.status-chart')].length + ' ' + [...document.querySelectorAll('#endpoints svg.latency-chart')].length` },
    { eval: `document.getElementById('sum-exchanges').textContent + ' ' + document.getElementById('sum-endpoints').textContent` },
    { eval: click('path') },
    { eval: click('path') },
    { eval: click('count') },
    { eval: click('p50') },
    { eval: type('USERS') },
    { eval: type('') },
  ]);
  clean(t, r, url);
  const [rows, charts, sums, byPath, byPathDesc, byCount, byP50, filtered, unfiltered] = r.results;
  const expected = json.endpoints.map((e: any) => [e.host, e.method, e.path, String(e.count), statusText(e.status, e.no_response)]);
  t.same(rows, expected, 'rows, in the report order: host, method, path, calls, status mix');
  t.same(endpointKeys(rows.map((c: string[]) => ({ method: c[1], path: c[2], count: Number(c[3]), status: Object.fromEntries(c[4].split(' ').map((p) => [p.split(':')[0], Number(p.split(':')[1])])) }))),
    endpointKeys(API.endpoints), 'the capture\'s ground truth');
  t.equal(charts, `${json.endpoints.length} ${json.endpoints.filter((e: any) => e.latency_ms !== null).length}`, 'a status and a latency chart per endpoint');
  t.equal(sums, `${json.totals.exchanges} ${json.endpoints.length}`, 'summary: exchanges and endpoints');
  const paths = (list: string[][]): string[] => list.map((c) => c[2]!);
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  t.same(paths(byPath), [...paths(rows)].sort(cmp), 'path: ascending on the first click');
  t.same(paths(byPathDesc), [...paths(rows)].sort(cmp).reverse(), 'descending on the second');
  t.same(byCount.map((c: string[]) => Number(c[3])), rows.map((c: string[]) => Number(c[3])).sort((a: number, b: number) => b - a), 'calls: most first');
  const p50 = new Map(json.endpoints.map((e: any) => [`${e.method} ${e.path}`, e.latency_ms.p50]));
  const seen = byP50.map((c: string[]) => p50.get(`${c[1]} ${c[2]}`));
  t.same(seen, [...seen].sort((a, b) => b - a), 'p50: slowest first, by the data');
  const want = rows.filter((c: string[]) => `${c[0]} ${c[1]} ${c[2]}`.toLowerCase().includes('users'));
  t.ok(want.length > 0 && want.length < rows.length, 'the filter keeps some rows');
  t.same(filtered.rows.map((c: string[]) => c[2]).sort(), want.map((c: string[]) => c[2]).sort(), 'filter: rows whose host, method or path contain the text');
  t.equal(filtered.shown, String(want.length), 'the count of rows shown');
  t.equal(unfiltered.rows.length, rows.length, 'an empty filter shows every row');
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
