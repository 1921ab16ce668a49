/**
 * The inventory as one self-contained HTML page (the `html` format, and the embedded satellite's `/`):
 * inline style and script, inline SVG charts, no external resource of any kind, so it works offline.
 *
 * Contents: a summary (exchanges, endpoints, hosts, time span, what the caps dropped), a filter box, and the
 * endpoint table (host, method, path, calls, status mix with its chart, p50/p95/p99 with a latency chart),
 * sortable by clicking a column head (html-script.ts). Everything from traffic is escaped (escapeHtml), and
 * the rows' data is embedded as JSON that cannot close its script element (scriptJson).
 *
 * Size bound: at most MAX_ROWS endpoint rows (the busiest; the rest are counted in the summary) and charts
 * for the first MAX_CHART_ROWS of them, so the page stays under about 2 MiB whatever the capture.
 */
import { escapeHtml, latencyChart, scriptJson, statusChart, statusParts } from './html-charts.js';
import { PAGE_SCRIPT } from './html-script.js';
import type { EndpointReport, InventoryReport } from './types.js';

export const MAX_ROWS = 2000;
export const MAX_CHART_ROWS = 500;
/** Host names listed in the summary at most (all are in the table). */
const MAX_SUMMARY_HOSTS = 20;

export interface HtmlOptions {
  /** Page title (escaped). */
  title?: string;
  /** Seconds between the page's checks for new data (live satellite page); absent: a static page. */
  refreshSeconds?: number;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.4em;margin:0 0 .5em}
dl.summary{display:grid;grid-template-columns:max-content auto;gap:.2em 1em;margin:0 0 1em}dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse;width:100%}th,td{padding:.25em .5em;border-bottom:1px solid #ddd;text-align:left;vertical-align:middle}
th[data-key]{cursor:pointer;user-select:none;background:#f4f4f4}th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.path{font-family:ui-monospace,monospace;word-break:break-all}
.status-text{font-size:.85em;color:#555;display:block}#filter{padding:.3em;width:24em;margin-bottom:.5em}.note{color:#666}`;

function ms(v: number | undefined): string {
  if (v === undefined) return '-';
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** Responses that are not 1xx-3xx, plus exchanges without a response. */
function errorsOf(e: EndpointReport): number {
  let n = e.no_response;
  for (const [code, c] of Object.entries(e.status)) if (!/^[123]/.test(code)) n += c;
  return n;
}

function timeSpan(endpoints: EndpointReport[]): string {
  if (endpoints.length === 0) return '-';
  let first = endpoints[0]!.first_seen;
  let last = endpoints[0]!.last_seen;
  for (const e of endpoints) {
    if (e.first_seen < first) first = e.first_seen;
    if (e.last_seen > last) last = e.last_seen;
  }
  const sec = (Date.parse(last) - Date.parse(first)) / 1000;
  return `${escapeHtml(first)} to ${escapeHtml(last)} (${sec.toFixed(1)} s)`;
}

/** `name n` for every non-zero cap counter: the inventory-wide ones and the per-endpoint sums. */
function capsDropped(report: InventoryReport, rowsLeftOut: number): string {
  const parts: string[] = [];
  for (const [k, n] of Object.entries(report.totals)) if (k.startsWith('dropped') && n > 0) parts.push(`${k} ${n}`);
  const perEndpoint = new Map<string, number>();
  for (const e of report.endpoints) for (const [k, n] of Object.entries(e.dropped)) perEndpoint.set(k, (perEndpoint.get(k) ?? 0) + n);
  for (const [k, n] of [...perEndpoint].sort()) if (n > 0) parts.push(`${k} ${n}`);
  if (rowsLeftOut > 0) parts.push(`rows not shown on this page ${rowsLeftOut} (the JSON format has every endpoint)`);
  return parts.length === 0 ? 'nothing' : escapeHtml(parts.join(', '));
}

function summary(report: InventoryReport, rowsLeftOut: number): string {
  const t = report.totals;
  const hosts = [...new Set(report.endpoints.map((e) => e.host))].sort();
  const hostText = hosts.slice(0, MAX_SUMMARY_HOSTS).map(escapeHtml).join(', ') + (hosts.length > MAX_SUMMARY_HOSTS ? `, … (${hosts.length - MAX_SUMMARY_HOSTS} more)` : '');
  return `<dl class="summary">
<dt>Exchanges</dt><dd id="sum-exchanges">${t.exchanges ?? 0}</dd>
<dt>Kept</dt><dd id="sum-kept">${t.kept ?? 0}</dd>
<dt>Endpoints</dt><dd id="sum-endpoints">${report.endpoints.length}</dd>
<dt>Hosts</dt><dd id="sum-hosts"><span class="n">${hosts.length}</span>${hosts.length > 0 ? `: ${hostText}` : ''}</dd>
<dt>Time span</dt><dd id="sum-span">${timeSpan(report.endpoints)}</dd>
<dt>Dropped by caps</dt><dd id="sum-dropped">${capsDropped(report, rowsLeftOut)}</dd>
</dl>`;
}

function row(e: EndpointReport, i: number, maxMs: number): string {
  const charts = i < MAX_CHART_ROWS;
  const statusText = statusParts(e).map(([k, n]) => `${k}:${n}`).join(' ');
  const l = e.latency_ms;
  return `<tr data-i="${i}"><td class="host">${escapeHtml(e.host)}</td><td class="method">${escapeHtml(e.method)}</td>`
    + `<td class="path">${escapeHtml(e.path)}</td><td class="num count">${e.count}</td>`
    + `<td class="status">${charts ? statusChart(e) : ''}<span class="status-text">${escapeHtml(statusText)}</span></td>`
    + `<td class="num p50">${ms(l?.p50)}</td><td class="num p95">${ms(l?.p95)}</td><td class="num p99">${ms(l?.p99)}</td>`
    + `<td class="latency">${charts ? latencyChart(e, maxMs) : ''}</td></tr>`;
}

const HEAD = [['host', 'Host'], ['method', 'Method'], ['path', 'Path'], ['count', 'Calls'], ['errors', 'Status'], ['p50', 'p50 ms'], ['p95', 'p95 ms'], ['p99', 'p99 ms']];

export function renderHtml(report: InventoryReport, opts: HtmlOptions = {}): string {
  const shown = report.endpoints.slice(0, MAX_ROWS);
  const maxMs = Math.max(1, ...shown.map((e) => e.latency_ms?.p99 ?? 0));
  const data = shown.map((e) => [e.host, e.method, e.path, e.count, errorsOf(e), e.latency_ms?.p50 ?? null, e.latency_ms?.p95 ?? null, e.latency_ms?.p99 ?? null]);
  const title = escapeHtml(opts.title ?? 'API inventory');
  const live = opts.refreshSeconds !== undefined && opts.refreshSeconds > 0 ? ` data-live="${opts.refreshSeconds}"` : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; connect-src 'self'">
<title>${title}</title><style>${STYLE}</style></head>
<body${live}><h1>${title}</h1>
<main data-exchanges="${report.totals.exchanges ?? 0}">
${summary(report, report.endpoints.length - shown.length)}
<p><input id="filter" type="search" placeholder="filter by host, method or path" aria-label="filter"> <span class="note"><span id="shown">${shown.length}</span> of ${shown.length} endpoints shown</span></p>
<table id="endpoints"><thead><tr>${HEAD.map(([k, label]) => `<th data-key="${k}" aria-sort="none">${label}</th>`).join('')}<th>Latency</th></tr></thead>
<tbody>
${shown.map((e, i) => row(e, i, maxMs)).join('\n')}
</tbody></table>
<script type="application/json" id="inventory-data">${scriptJson(data)}</script>
</main>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
