/**
 * Prometheus text exposition (format 0.0.4) of a counters snapshot, written by hand.
 * Name: `pcap_sensor_` + the counter name with every character outside [a-zA-Z0-9_] (dots included)
 * replaced by `_`. Type: `untyped` (the snapshot mixes totals and gauges and says not which is which).
 * Two counters that map to one name: the first (in snapshot order) is kept, the other skipped.
 * Extra series: pcap_sensor_up 1 and pcap_sensor_healthy 0/1 (when a health status is given).
 */
export const METRIC_PREFIX = 'pcap_sensor_';
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function metricName(counter: string): string {
  return METRIC_PREFIX + counter.replace(/[^a-zA-Z0-9_]/g, '_');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function formatPrometheus(snapshot: Record<string, number>, healthy?: boolean): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  const add = (name: string, value: number, help?: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    if (help) lines.push(`# HELP ${name} ${help}`);
    lines.push(`# TYPE ${name} untyped`, `${name} ${formatValue(value)}`);
  };
  add(`${METRIC_PREFIX}up`, 1, 'the sensor is running');
  if (healthy !== undefined) add(`${METRIC_PREFIX}healthy`, healthy ? 1 : 0, '1 when /healthz answers 200');
  for (const [k, v] of Object.entries(snapshot)) add(metricName(k), v);
  return lines.join('\n') + '\n';
}
