/**
 * The process's own resource use, sampled on demand (stats line, /metrics scrape):
 *   process.rss_bytes, process.heap_used_bytes, process.heap_total_bytes, process.external_bytes,
 *   process.array_buffers_bytes                      (process.memoryUsage(), bytes)
 *   process.cpu_percent                              (user + system CPU over wall time since the previous
 *                                                     sample; 100 = one core)
 *   process.cpu_seconds_total                        (user + system CPU since start, seconds)
 *   process.event_loop_lag_mean_ms / _p99_ms / _max_ms (perf_hooks monitorEventLoopDelay since the previous
 *                                                     sample, resolution 10 ms; then the histogram is reset)
 * Call start() once and stop() at exit (the histogram's timer is unref'd either way).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Counters } from '../util/counters.js';

const NS_PER_MS = 1e6;
const round1 = (n: number): number => Math.round(n * 10) / 10;

export class ProcessSampler {
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private lastCpu = process.cpuUsage();
  private lastWall = process.hrtime.bigint();

  constructor(private readonly counters: Counters) {}

  start(): void {
    this.loopDelay.enable();
  }

  stop(): void {
    this.loopDelay.disable();
  }

  /** Sets the process.* counters. */
  sample(): void {
    const c = this.counters;
    const mem = process.memoryUsage();
    c.set('process.rss_bytes', mem.rss);
    c.set('process.heap_used_bytes', mem.heapUsed);
    c.set('process.heap_total_bytes', mem.heapTotal);
    c.set('process.external_bytes', mem.external);
    c.set('process.array_buffers_bytes', mem.arrayBuffers);

    const total = process.cpuUsage();
    const wall = process.hrtime.bigint();
    const cpuUs = (total.user - this.lastCpu.user) + (total.system - this.lastCpu.system);
    const wallUs = Number(wall - this.lastWall) / 1000;
    this.lastCpu = total;
    this.lastWall = wall;
    c.set('process.cpu_percent', wallUs > 0 ? round1((cpuUs / wallUs) * 100) : 0);
    c.set('process.cpu_seconds_total', round1((total.user + total.system) / 1e5) / 10);

    // an empty histogram (no sample yet) reports NaN/huge values: report 0 then
    const h = this.loopDelay;
    const has = h.count > 0;
    c.set('process.event_loop_lag_mean_ms', has ? round1(h.mean / NS_PER_MS) : 0);
    c.set('process.event_loop_lag_p99_ms', has ? round1(h.percentile(99) / NS_PER_MS) : 0);
    c.set('process.event_loop_lag_max_ms', has ? round1(h.max / NS_PER_MS) : 0);
    h.reset();
  }
}
