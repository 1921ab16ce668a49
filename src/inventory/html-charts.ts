/**
 * The inline SVG charts of the HTML report (html-page.ts) and the escaping both use. Every text that came
 * from traffic goes through escapeHtml before it is written into markup; the charts hold numbers and fixed
 * labels only. Sizes are fixed so a chart's markup stays under about 600 bytes.
 */
import type { EndpointReport } from './types.js';

/** Text for HTML content and quoted attribute values: & < > " ' escaped. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON for an inline `<script type="application/json">`: `<`, `>`, `&` and the line separators written as
 * \u escapes, so no text of the data can close the script element (`</script>`) or open a comment.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Colour of a status class: 1xx-5xx, and `none` for exchanges without a response. */
const STATUS_COLOURS: Record<string, string> = { '1': '#8c8c8c', '2': '#2e9e44', '3': '#3572b0', '4': '#e08a00', '5': '#d0312d', none: '#b8b8b8' };

function colourOf(status: string): string {
  return STATUS_COLOURS[status === 'none' ? 'none' : status[0]!] ?? '#6b4fbb';
}

/** Status codes with counts, most first (then by code), `none` last. */
export function statusParts(e: Pick<EndpointReport, 'status' | 'no_response'>): Array<[string, number]> {
  const parts = Object.entries(e.status).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (e.no_response > 0) parts.push(['none', e.no_response]);
  return parts;
}

const BAR_W = 120;
const BAR_H = 12;

/** The status mix as one stacked bar, a segment per status code (width by share), titled `code: n`. */
export function statusChart(e: Pick<EndpointReport, 'status' | 'no_response'>): string {
  const parts = statusParts(e);
  const total = parts.reduce((a, [, n]) => a + n, 0);
  if (total === 0) return '';
  let x = 0;
  const rects = parts.map(([code, n]) => {
    const w = (n / total) * BAR_W;
    const r = `<rect x="${x.toFixed(1)}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${colourOf(code)}"><title>${escapeHtml(code)}: ${n}</title></rect>`;
    x += w;
    return r;
  });
  return `<svg class="chart status-chart" width="${BAR_W}" height="${BAR_H}" viewBox="0 0 ${BAR_W} ${BAR_H}" role="img" aria-label="status mix">${rects.join('')}</svg>`;
}

const LAT_W = 150;
const LAT_H = 30;
const LAT_ROW = 10;

/**
 * Latency percentiles (p50, p95, p99) as three bars on a shared log scale from 0.1 ms to `maxMs` (the
 * largest p99 of the report), so rows compare with each other.
 */
export function latencyChart(e: Pick<EndpointReport, 'latency_ms'>, maxMs: number): string {
  const l = e.latency_ms;
  if (l === null) return '';
  const lo = Math.log10(0.1);
  const span = Math.max(Math.log10(Math.max(maxMs, 1)) - lo, 1e-9);
  const widthOf = (v: number): number => Math.max(1, ((Math.log10(Math.max(v, 0.1)) - lo) / span) * (LAT_W - 40));
  const rows = (['p50', 'p95', 'p99'] as const).map((k, i) => {
    const w = widthOf(l[k]);
    const y = i * LAT_ROW;
    return `<rect x="24" y="${y + 1}" width="${w.toFixed(1)}" height="${LAT_ROW - 2}" fill="${['#5b8def', '#3a66c4', '#1f3f8a'][i]}"><title>${k}: ${l[k]} ms</title></rect>`
      + `<text x="0" y="${y + 8}" font-size="8">${k}</text>`;
  });
  return `<svg class="chart latency-chart" width="${LAT_W}" height="${LAT_H}" viewBox="0 0 ${LAT_W} ${LAT_H}" role="img" aria-label="latency percentiles">${rows.join('')}</svg>`;
}
