/**
 * Liveness of a running sensor, for /healthz and `pcap-sensor health`.
 *
 * Capture loop (live capture only). An idle interface delivers nothing, so packet arrival cannot be the
 * heartbeat. The monitor has its own heartbeat: a timer (every `tickMs`) that compares what the kernel
 * has seen for the sensor (pcap_stats: received when available, plus drops) with what the capture loop
 * delivered to the pipeline. Evidence that grows while deliveries do not means the kernel holds packets
 * the loop is not reading; when that lasts longer than `captureStallMs`, the sensor is unhealthy. The
 * timer itself is the event loop's heartbeat: a tick later than `captureStallMs` (a blocked loop) is
 * unhealthy too.
 *
 * Export. Unhealthy when export attempts have failed (retried or given up) and none has succeeded for
 * longer than `exportFailureMs` since the first failure. No export attempt at all (no traffic) is healthy.
 *
 * Call order: new HealthMonitor(probes, options) -> start() -> status() any time -> stop(). `tick(now)` is
 * public so tests can drive the clock; `now` is milliseconds (Date.now() in production).
 */

/** Readings the monitor compares between ticks; every function must be cheap (called every tickMs). */
export interface HealthProbes {
  /** Live capture only: packets the capture loop delivered to the pipeline (monotonic). */
  delivered?: () => number;
  /** Live capture only: packets the kernel received or dropped for the sensor (any counter that grows with them). */
  kernelSeen?: () => number;
  /** Satellite exports that succeeded (exchanges or batches; monotonic). */
  exportSucceeded?: () => number;
  /** Satellite export attempts that failed (retried or given up; monotonic). */
  exportFailed?: () => number;
}

export interface HealthOptions {
  captureStallMs: number;
  exportFailureMs: number;
  /** Heartbeat period; default 1000 ms. */
  tickMs?: number;
  now?: () => number;
}

export interface HealthStatus {
  healthy: boolean;
  /** Why not healthy; empty when healthy. */
  reasons: string[];
}

export class HealthMonitor {
  private readonly now: () => number;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private lastTick: number;
  private lastDelivered = 0;
  private lastSeen = 0;
  /** Since when the kernel has held packets that were not delivered; undefined = nothing pending. */
  private pendingSince: number | undefined;
  private lastSucceeded = 0;
  private lastFailed = 0;
  /** Since when every export attempt has failed; undefined = last attempt succeeded (or none yet). */
  private failingSince: number | undefined;

  constructor(private readonly probes: HealthProbes, private readonly opts: HealthOptions) {
    this.now = opts.now ?? Date.now;
    this.tickMs = opts.tickMs ?? 1000;
    this.lastTick = this.now();
    this.lastDelivered = probes.delivered?.() ?? 0;
    this.lastSeen = probes.kernelSeen?.() ?? 0;
    this.lastSucceeded = probes.exportSucceeded?.() ?? 0;
    this.lastFailed = probes.exportFailed?.() ?? 0;
  }

  start(): void {
    this.lastTick = this.now();
    this.timer = setInterval(() => this.tick(this.now()), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One heartbeat: reads the probes and updates the stall and failure clocks. */
  tick(now: number): void {
    this.lastTick = now;
    const p = this.probes;
    if (p.delivered && p.kernelSeen) {
      const delivered = p.delivered();
      const seen = p.kernelSeen();
      if (delivered !== this.lastDelivered) this.pendingSince = undefined;
      else if (seen !== this.lastSeen && this.pendingSince === undefined) this.pendingSince = now;
      this.lastDelivered = delivered;
      this.lastSeen = seen;
    }
    if (p.exportSucceeded && p.exportFailed) {
      const ok = p.exportSucceeded();
      const failed = p.exportFailed();
      if (ok !== this.lastSucceeded) this.failingSince = undefined;
      else if (failed !== this.lastFailed && this.failingSince === undefined) this.failingSince = now;
      this.lastSucceeded = ok;
      this.lastFailed = failed;
    }
  }

  status(now: number = this.now()): HealthStatus {
    const reasons: string[] = [];
    const sec = (ms: number): string => `${Math.round(ms / 1000)} s`;
    if (this.timer !== undefined && now - this.lastTick > this.opts.captureStallMs) {
      reasons.push(`capture loop heartbeat missed for ${sec(now - this.lastTick)} (event loop blocked)`);
    }
    if (this.pendingSince !== undefined && now - this.pendingSince > this.opts.captureStallMs) {
      reasons.push(`capture stalled: the kernel has received packets but none was delivered for ${sec(now - this.pendingSince)}`);
    }
    if (this.failingSince !== undefined && now - this.failingSince > this.opts.exportFailureMs) {
      reasons.push(`export failing: every attempt to reach the satellite failed for ${sec(now - this.failingSince)}`);
    }
    return { healthy: reasons.length === 0, reasons };
  }
}
