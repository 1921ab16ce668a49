/**
 * The periodic stats line: what every stage counted, plus process RSS and CPU, logged every
 * `intervalSec` of wall time and once at the end. Sources publish into Counters through `collect`.
 */
import type { Logger } from '../util/logger.js';
import type { Counters } from '../util/counters.js';

export type Collector = () => void;

export class StatsReporter {
  private timer: NodeJS.Timeout | undefined;
  private lastCpu = process.cpuUsage();
  private lastWall = process.hrtime.bigint();

  constructor(
    private readonly log: Logger,
    private readonly counters: Counters,
    /** Called before each report so stages can publish their plain numeric fields. */
    private readonly collect: Collector,
  ) {}

  start(intervalSec: number): void {
    this.timer = setInterval(() => this.report('stats'), intervalSec * 1000);
    this.timer.unref();
  }

  /** Logs one stats line; `msg` is 'stats' for the periodic line and 'final stats' at exit. */
  report(msg: string): Record<string, number> {
    this.collect();
    const cpu = process.cpuUsage(this.lastCpu);
    const wall = process.hrtime.bigint();
    const wallUs = Number(wall - this.lastWall) / 1000;
    this.lastCpu = process.cpuUsage();
    this.lastWall = wall;
    this.counters.set('process.rss_bytes', process.memoryUsage.rss());
    this.counters.set('process.cpu_percent', wallUs > 0 ? Math.round(((cpu.user + cpu.system) / wallUs) * 1000) / 10 : 0);
    const snap = this.counters.snapshot();
    this.log.info({ stats: snap }, msg);
    return snap;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
