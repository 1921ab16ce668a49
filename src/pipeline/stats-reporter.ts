/**
 * The periodic stats line: what every stage counted plus the process's own resource use (RSS, heap,
 * external and array-buffer memory, CPU, event-loop lag: src/observability/process-sampler.ts), logged
 * every `intervalSec` of wall time (--stats-interval, default 60) and once at the end. The line carries
 * `summary` (the headline figures: src/observability/stats-summary.ts) and `stats` (every counter).
 *
 * Call order: new StatsReporter(...) -> start(intervalSec) -> report() any time (also by /metrics through
 * `refresh`) -> stop() -> report('final stats').
 */
import type { Logger } from '../util/logger.js';
import type { Counters } from '../util/counters.js';
import { ProcessSampler } from '../observability/process-sampler.js';
import { summarize } from '../observability/stats-summary.js';

export type Collector = () => void;

export class StatsReporter {
  private timer: NodeJS.Timeout | undefined;
  private readonly sampler: ProcessSampler;

  constructor(
    private readonly log: Logger,
    private readonly counters: Counters,
    /** Called before each report so stages can publish their plain numeric fields. */
    private readonly collect: Collector,
  ) {
    this.sampler = new ProcessSampler(counters);
  }

  start(intervalSec: number): void {
    this.sampler.start();
    this.timer = setInterval(() => this.report('stats'), intervalSec * 1000);
    this.timer.unref();
  }

  /** Brings every counter up to date (stages and process) and returns the snapshot, without logging. */
  refresh(): Record<string, number> {
    this.collect();
    this.sampler.sample();
    return this.counters.snapshot();
  }

  /** Logs one stats line; `msg` is 'stats' for the periodic line and 'final stats' at exit. */
  report(msg: string): Record<string, number> {
    const snap = this.refresh();
    this.log.info({ summary: summarize(snap), stats: snap }, msg);
    return snap;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sampler.stop();
  }
}
