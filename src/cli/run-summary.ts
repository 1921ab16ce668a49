/**
 * The readable end of a file run on a terminal (apidump --pcap with standard error a TTY): a few lines on
 * what was read and found, what each filter, the rate limit and each cap or budget dropped or cut (only
 * those that did), each with the flag that changes it (or the page that documents a fixed budget), and
 * where the output went. It replaces the `final stats` log line there; the full counters are logged at debug
 * level (`--log-level debug`), and stay in the JSON `final stats` line whenever standard error is not a
 * terminal (docs/output.md, "End of a file run").
 */
import { byteText, countText } from './run-progress.js';

export interface RunContext {
  file: string;
  fileBytes: number;
  elapsedSec: number;
  /** --out path ('-' = standard output), or null. */
  out: string | null;
  satelliteUrl: string | null;
  exportFormat: string;
  rateLimit: number;
  rateLimitPerEndpoint: number;
  maxHttpLength: number;
  streamTimeoutSeconds: number;
}

/** A counter, what it counts, and the flag (with its value) that changes it, or where a fixed budget is documented. */
interface Cut { counter: string; what: string; by: string }

const FILTERS: Cut[] = [
  { counter: 'policy.dropped.host_allow', what: 'host not allowed', by: '--host-allow' },
  { counter: 'policy.dropped.path_allow', what: 'path not allowed', by: '--path-allow' },
  { counter: 'policy.dropped.host_exclusion', what: 'host excluded', by: '--host-exclusions' },
  { counter: 'policy.dropped.path_exclusion', what: 'path excluded', by: '--path-exclusions' },
  { counter: 'policy.dropped.user_agent_exclusion', what: 'user agent excluded', by: '--exclude-user-agent' },
];

function limits(ctx: RunContext): Cut[] {
  return [
    { counter: 'policy.rate_limited.global', what: 'over the rate limit', by: `--rate-limit ${ctx.rateLimit}/min; 0 = none` },
    { counter: 'policy.rate_limited.endpoint', what: 'over the per-endpoint rate limit', by: `--rate-limit-per-endpoint ${ctx.rateLimitPerEndpoint}/min` },
    { counter: 'http.body_truncated', what: 'bodies cut', by: `--max-http-length ${ctx.maxHttpLength} bytes` },
    { counter: 'reassembly.gap_timeout', what: 'waits for missing TCP data given up', by: `--stream-timeout-seconds ${ctx.streamTimeoutSeconds}` },
    { counter: 'http.decode_cap_hit', what: 'bodies whose decompression stopped at the 64 MiB cap', by: 'a fixed budget, docs/http.md' },
    { counter: 'http.body_budget_exhausted', what: 'bodies cut by the body-buffer budget', by: 'a fixed budget, docs/http.md' },
    { counter: 'http.head_budget_exhausted', what: 'request heads cut by the head budget', by: 'a fixed budget, docs/http.md' },
    { counter: 'http.pending_overflow', what: 'requests past 100 unanswered on a connection', by: 'a fixed budget, docs/http.md' },
    { counter: 'reassembly.cap_conn_bytes', what: 'connections over the held-bytes cap', by: 'a fixed budget, docs/reassembly.md' },
    { counter: 'reassembly.cap_conn_segments', what: 'connections over the held-segments cap', by: 'a fixed budget, docs/reassembly.md' },
    { counter: 'reassembly.cap_total_bytes', what: 'flushes at the total held-bytes cap', by: 'a fixed budget, docs/reassembly.md' },
    { counter: 'reassembly.evicted', what: 'connections evicted at the connection cap', by: 'a fixed budget, docs/reassembly.md' },
    { counter: 'export.dropped.queue_full', what: 'exchanges dropped: export queue full', by: '--trace-export-interval' },
    { counter: 'export.jsonl.dropped.backpressure', what: 'lines dropped: --out too slow', by: '--out' },
    { counter: 'export.failed', what: 'exchanges the satellite did not take', by: '--satellite-url' },
  ];
}

/** Exchanges the run found: those kept and those the filters and rate limits dropped (`get` reads a counter). */
export function exchangesFound(get: (counter: string) => number): number {
  return get('http.exchanges') + get('http.dropped_by_policy');
}

function outputs(v: (k: string) => number, ctx: RunContext): string[] {
  const lines: string[] = [];
  if (ctx.out !== null) lines.push(`${countText(v('export.jsonl.written'))} exchanges written to ${ctx.out === '-' ? 'standard output' : ctx.out} (--out)`);
  if (ctx.satelliteUrl !== null) lines.push(`${countText(v('export.exported'))} exchanges sent to ${ctx.satelliteUrl} as ${ctx.exportFormat} (--satellite-url, --export-format)`);
  if (lines.length === 0) lines.push('no output: give --out FILE or --satellite-url URL');
  return lines;
}

/** The summary as text (lines ending in '\n'). */
export function renderRunSummary(snap: Record<string, number>, ctx: RunContext): string {
  const v = (k: string): number => snap[k] ?? 0;
  const lines = [
    `read ${ctx.file}: ${byteText(ctx.fileBytes)}, ${countText(v('pipeline.packets'))} packets in ${ctx.elapsedSec.toFixed(1)} s`,
    `  ${countText(exchangesFound(v))} exchanges on ${countText(v('reassembly.connections_created'))} connections, `
      + `${countText(v('http.exchanges'))} kept after the filters and rate limits`,
  ];
  const cuts = [...FILTERS, ...limits(ctx)].filter((c) => v(c.counter) > 0);
  if (cuts.length === 0) lines.push('  nothing dropped or cut by filters, rate limits, caps or budgets');
  else {
    lines.push('  dropped or cut:');
    for (const c of cuts) lines.push(`    ${countText(v(c.counter)).padStart(8)}  ${c.what} (${c.by})`);
  }
  for (const o of outputs(v, ctx)) lines.push(`  ${o}`);
  lines.push('  every counter: --log-level debug here, or the JSON log when standard error is not a terminal');
  return `${lines.join('\n')}\n`;
}
