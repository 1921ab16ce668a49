// The embedded satellite's live catalog, as processes: `pcap-sensor satellite`, then `apidump --pcap
// fixtures/inventory/api.pcap --satellite-url URL` in each --export-format; GET /api/inventory, /openapi.json
// and / then say what `pcap-sensor inventory` says of the same capture (and the capture's ground truth); the
// page open in headless Chromium fills in while the traffic arrives.
import t, { type Test } from 'tap';
import { run, startSensor, type Proc } from '../util/sensor-run.js';
import { API, API_PCAP, endpointKeys, inventory, report } from '../inventory/harness.js';
import { haveChromium, startBrowser } from '../inventory/browser.js';

async function startSatellite(t: Test): Promise<{ sat: Proc; url: string }> {
  const sat = startSensor(['satellite', '--port', '0', '--out', '/dev/null'], { killAfterMs: 300_000 });
  t.teardown(() => sat.kill('SIGKILL'));
  await sat.until((p) => /listening on (http:\S+)/.test(p.stderr), 'the satellite to listen');
  return { sat, url: /listening on (http:\S+)/.exec(sat.stderr)![1]! };
}

async function get(url: string): Promise<{ status: number; type: string; text: string }> {
  const r = await fetch(url);
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
}

/** The figures both sides must agree on, per endpoint. */
function figures(e: any): unknown {
  return {
    host: e.host, method: e.method, path: e.path, count: e.count, status: e.status, no_response: e.no_response,
    latency_ms: e.latency_ms, response_body_bytes: e.response_body_bytes, request_headers: e.request_headers,
    query_parameters: e.query_parameters, auth: e.auth, path_parameters: e.path_parameters,
    response_content_types: e.response_content_types, request_schema: e.request_schema, response_schemas: e.response_schemas,
    first_seen: e.first_seen, last_seen: e.last_seen,
  };
}

t.test('before any traffic: an empty catalog on all three paths; POST-only paths unchanged', async (t) => {
  const { url } = await startSatellite(t);
  const inv = await get(`${url}/api/inventory`);
  t.equal(inv.status, 200);
  t.match(inv.type, /^application\/json/);
  t.same(JSON.parse(inv.text).endpoints, []);
  const page = await get(`${url}/`);
  t.equal(page.status, 200);
  t.match(page.type, /^text\/html/);
  t.match(page.text, /data-exchanges="0"/);
  t.equal((await get(`${url}/openapi.json`)).status, 200);
  t.equal((await get(`${url}/v1/traces`)).status, 405, 'GET of a trace path is still refused');
  t.equal((await get(`${url}/nope`)).status, 404);
});

const local = await report(t, ['--pcap', API_PCAP]);
const openapi = JSON.parse((await inventory(['--pcap', API_PCAP, '--format', 'openapi'])).stdout);

for (const format of ['otlp', 'levo']) {
  t.test(`--export-format ${format}: the catalog is the inventory of the capture`, async (t) => {
    const { sat, url } = await startSatellite(t);
    const r = await run(['apidump', '--pcap', API_PCAP, '--satellite-url', url, '--export-format', format, '--log-level', 'error']);
    t.equal(r.code, 0, `apidump: ${r.stderr}`);
    const live = JSON.parse((await get(`${url}/api/inventory`)).text);
    t.equal(live.totals.exchanges, local.totals.exchanges, 'every exchange arrived');
    t.same(endpointKeys(live.endpoints), endpointKeys(API.endpoints), 'the ground truth: endpoints, calls, statuses');
    t.same(live.endpoints.map(figures), local.endpoints.map(figures), 'the same figures as `inventory --pcap`');

    const doc = JSON.parse((await get(`${url}/openapi.json`)).text);
    t.same(Object.keys(doc.paths).sort(), Object.keys(openapi.paths).sort(), 'OpenAPI: the same paths');
    for (const [p, item] of Object.entries<any>(openapi.paths)) {
      for (const [m, op] of Object.entries<any>(item)) t.equal(doc.paths[p][m]['x-calls'], op['x-calls'], `${m} ${p}: x-calls`);
    }

    const page = await get(`${url}/`);
    t.match(page.text, new RegExp(`data-exchanges="${local.totals.exchanges}"`), 'the page counts every exchange');
    t.match(page.text, /data-live="\d+"/, 'the page checks for new data');
    for (const e of local.endpoints) t.ok(page.text.includes(`<td class="path">${e.path}</td>`), `row ${e.method} ${e.path}`);
    t.match(sat.stderr, new RegExp(`satellite: ${format} \\d+ (spans|traces)`), 'the satellite logged the batches');
  });
}

t.test('the open page fills in as traffic arrives, without a reload, asking only the satellite', { skip: !haveChromium && 'no /usr/bin/chromium' }, async (t) => {
  const { url } = await startSatellite(t);
  const browser = await startBrowser(t);
  let apidump: ReturnType<typeof run> | undefined;
  const r = await browser.page(`${url}/`, [
    { eval: 'window.__marker = 1; document.querySelector("main").dataset.exchanges' },
    { signal: 'ready' },
    { waitFor: `document.querySelector('main').dataset.exchanges === '${local.totals.exchanges}' && document.querySelectorAll('#endpoints tbody tr').length`, timeoutMs: 60_000 },
    { eval: 'window.__marker' },
  ], () => { apidump = run(['apidump', '--pcap', API_PCAP, '--satellite-url', url, '--export-format', 'levo', '--log-level', 'error']); });
  t.equal((await apidump!).code, 0);
  t.equal(r.results[0], '0', 'the page opened on an empty catalog');
  t.equal(r.results[2], local.endpoints.length, 'every endpoint is listed');
  t.equal(r.results[3], 1, 'the same document: updated in place, not reloaded');
  t.same(r.exceptions, []);
  t.same(r.consoleErrors, []);
  t.same(r.requests.filter((u) => !u.startsWith(`${url}/`)), [], 'no request but to the satellite');
});

t.test('the satellite says where its catalog is', async (t) => {
  const { sat, url } = await startSatellite(t);
  await sat.until((p) => /endpoint inventory/.test(p.stderr), 'the second line');
  t.match(sat.stderr, `endpoint inventory of what it receives: ${url}/ (page), ${url}/api/inventory (JSON), ${url}/openapi.json\n`);
});
