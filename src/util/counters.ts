/**
 * Named counters shared by the pipeline stages, for the stats line, the final report and tests.
 * Hot-path stages keep plain numeric fields and publish them here; `inc` is for rare events
 * (errors, drops) where a string key per event is affordable.
 *
 * Names: one name per counter, dot-separated lower-case snake_case segments (`reassembly.bytes_delivered`,
 * `export.jsonl.dropped.backpressure`); an interface name is kept as the system spells it
 * (`capture.if.<name>.kernel_drops`). The same names appear in the stats line and, with dots as
 * underscores, in /metrics (src/observability/prometheus.ts).
 */
export class Counters {
  private readonly values = new Map<string, number>();

  inc(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  set(name: string, value: number): void {
    this.values.set(name, value);
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }

  /** A sorted plain object of every counter, for logs and JSON. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of [...this.values.keys()].sort()) out[k] = this.values.get(k)!;
    return out;
  }
}
