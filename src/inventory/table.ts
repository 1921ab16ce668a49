/**
 * The inventory as a text table for a terminal: endpoints by calls (the report's order), columns method,
 * path, calls, status mix, p50 and p95 latency (ms); a host column when there are several hosts. The path
 * column takes the width left by the others (at least 12 characters) and cuts longer paths at their start
 * with '…' (`…/orders/{orderId}`): the ends of paths differ more than their prefixes. A
 * last line gives the totals and what the caps dropped.
 */
import type { EndpointReport, InventoryReport } from './types.js';

function statusMix(e: EndpointReport): string {
  const parts = Object.entries(e.status).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, n]) => `${k}:${n}`);
  if (e.no_response > 0) parts.push(`none:${e.no_response}`);
  return parts.join(' ');
}

function ms(v: number | undefined): string {
  if (v === undefined) return '-';
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** Cuts text to `width` with '…': at the end, or at the start (`fromStart`, for paths: their ends differ). */
function cut(s: string, width: number, fromStart = false): string {
  if (s.length <= width) return s;
  return fromStart ? `…${s.slice(s.length - width + 1)}` : `${s.slice(0, Math.max(0, width - 1))}…`;
}

export function renderTable(report: InventoryReport, width: number): string {
  const multiHost = new Set(report.endpoints.map((e) => e.host)).size > 1;
  const head = [...(multiHost ? ['HOST'] : []), 'METHOD', 'PATH', 'CALLS', 'STATUS', 'P50 ms', 'P95 ms'];
  const rows = report.endpoints.map((e) => [
    ...(multiHost ? [e.host] : []), e.method, e.path, String(e.count), statusMix(e), ms(e.latency_ms?.p50), ms(e.latency_ms?.p95),
  ]);
  const pathCol = multiHost ? 2 : 1;
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const others = widths.reduce((a, w, i) => (i === pathCol ? a : a + w), 0) + 2 * (head.length - 1);
  widths[pathCol] = Math.max(12, Math.min(widths[pathCol], width - others));
  if (multiHost) widths[0] = Math.min(widths[0], 32);
  const numeric = new Set([pathCol + 1, pathCol + 3, pathCol + 4]);
  const line = (cells: string[]): string => cells.map((c, i) => {
    const s = cut(c, widths[i], i === pathCol);
    return numeric.has(i) ? s.padStart(widths[i]) : s.padEnd(widths[i]);
  }).join('  ').trimEnd();
  const t = report.totals;
  const drops = Object.entries(t).filter(([k, n]) => k.startsWith('dropped') && n > 0).map(([k, n]) => `${k} ${n}`);
  const footer = `${report.endpoints.length} endpoints, ${t.kept} of ${t.exchanges} exchanges${drops.length > 0 ? `; ${drops.join(', ')}` : ''}`;
  return [line(head), ...rows.map(line), footer].join('\n') + '\n';
}
