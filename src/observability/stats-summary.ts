/**
 * The headline figures of a counters snapshot, under plain names, for the stats log line (the full
 * snapshot follows it). Sums over families of counters: decode errors = decode.malformed.* and
 * decode.unsupported_link.*, filtered = policy.dropped.*, rate-limited = policy.rate_limited.*,
 * export drops = export.dropped.* (queue or outbox full, after shutdown).
 */
export interface StatsSummary {
  packets: number;
  bytes: number;
  kernelDrops: number;
  decodeErrors: number;
  connections: number;
  exchanges: number;
  filtered: number;
  rateLimited: number;
  /** Exchanges the satellite accepted. */
  exported: number;
  /** Lines written to --out. */
  written: number;
  /** Exchanges given up (rejected by the satellite, or undelivered at the shutdown deadline). */
  exportFailures: number;
  exportDropped: number;
  queueDepth: number;
  rssBytes: number;
  heapUsedBytes: number;
  cpuPercent: number;
  eventLoopLagP99Ms: number;
}

function sumPrefix(snap: Record<string, number>, prefix: string): number {
  let n = 0;
  for (const k in snap) if (k.startsWith(prefix)) n += snap[k];
  return n;
}

export function summarize(snap: Record<string, number>): StatsSummary {
  const v = (k: string): number => snap[k] ?? 0;
  return {
    packets: v('pipeline.packets'),
    bytes: v('pipeline.bytes'),
    kernelDrops: v('capture.kernel_drops'),
    decodeErrors: sumPrefix(snap, 'decode.malformed.') + sumPrefix(snap, 'decode.unsupported_link.'),
    connections: v('reassembly.connections_created'),
    exchanges: v('http.exchanges'),
    filtered: sumPrefix(snap, 'policy.dropped.'),
    rateLimited: sumPrefix(snap, 'policy.rate_limited.'),
    exported: v('export.exported'),
    written: v('export.jsonl.written'),
    exportFailures: v('export.failed') + v('export.jsonl.failed'),
    exportDropped: sumPrefix(snap, 'export.dropped.') + v('export.jsonl.dropped.backpressure'),
    queueDepth: v('export.queue.depth'),
    rssBytes: v('process.rss_bytes'),
    heapUsedBytes: v('process.heap_used_bytes'),
    cpuPercent: v('process.cpu_percent'),
    eventLoopLagP99Ms: v('process.event_loop_lag_p99_ms'),
  };
}
