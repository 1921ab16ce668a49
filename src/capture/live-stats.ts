/**
 * Reads pcap_stats of every live source and publishes the totals into Counters; logs a warning
 * when the kernel or the interface dropped packets since the previous call.
 *
 * Call `publish()` on the stats interval (e.g. from StatsReporter's collect callback) and once at
 * the end. It replaces what LiveCaptureSource's own publishStats would do with a single source:
 * with several interfaces each source would overwrite the others' values, so live sources are
 * opened WITHOUT counters (openLiveSources does that) and this publisher sums them.
 *
 * Counters set (totals since the sources were opened):
 *   capture.kernel_drops     ps_drop: the kernel ring was full (raise --capture-buffer-size)
 *   capture.if_drops         ps_ifdrop: dropped by the interface/driver before the ring
 *   capture.packets          packets delivered by every interface (the sum of capture.if.<name>.packets)
 *   capture.if.<name>.kernel_drops / .if_drops / .packets   per interface
 *   capture.drain_packets    packets delivered after stop() (graceful-stop drain, all interfaces)
 *   capture.drain_cut        interfaces whose drain a bound (drainMs / drainMaxPackets) or close() cut short
 * Not set: capture.bytes (the packet pump counts what reached the pipeline: pipeline.bytes).
 *
 * pcap_stats counters are 32-bit and wrap; totals here are accumulated from deltas modulo 2^32,
 * so they stay monotonic. A source whose stats can no longer be read (closed, interface gone)
 * keeps its last totals.
 */
import type { Counters } from '../util/counters.js';
import type { CaptureStats } from './types.js';

const WRAP = 2 ** 32;

/** What the publisher needs from a source (LiveCaptureSource satisfies it). */
export interface StatsSource {
  readonly name: string;
  stats(): CaptureStats;
  /** Graceful-stop drain figures (LiveCaptureSource); absent on other sources. */
  drainStats?(): { packets: number; cut: number };
}

interface WarnLog {
  warn(obj: object, msg: string): void;
}

class SourceTotals {
  lastKernelDrops = 0;
  lastIfDrops = 0;
  kernelDrops = 0;
  ifDrops = 0;
  packets = 0;
  readonly dropsKey: string;
  readonly ifDropsKey: string;
  readonly packetsKey: string;
  constructor(readonly source: StatsSource) {
    this.dropsKey = `capture.if.${source.name}.kernel_drops`;
    this.ifDropsKey = `capture.if.${source.name}.if_drops`;
    this.packetsKey = `capture.if.${source.name}.packets`;
  }
}

export interface DropReport {
  interface: string;
  kernelDrops: number;
  ifDrops: number;
}

export class LiveStatsPublisher {
  private readonly totals: SourceTotals[];

  constructor(
    sources: readonly StatsSource[],
    private readonly counters: Counters,
    private readonly log?: WarnLog,
  ) {
    this.totals = sources.map((s) => new SourceTotals(s));
  }

  /** Reads every source's pcap_stats, sets the counters, returns (and logs) the new drops per interface. */
  publish(): DropReport[] {
    const reports: DropReport[] = [];
    let kernelDrops = 0;
    let ifDrops = 0;
    let packets = 0;
    let drainPackets = 0;
    let drainCut = 0;
    for (const t of this.totals) {
      const drain = t.source.drainStats?.();
      if (drain) {
        drainPackets += drain.packets;
        drainCut += drain.cut;
      }
      let s: CaptureStats;
      try {
        s = t.source.stats();
      } catch {
        s = { packets: t.packets, bytes: 0, batches: 0, kernelDrops: t.lastKernelDrops, ifDrops: t.lastIfDrops };
      }
      const newKernel = delta(t.lastKernelDrops, s.kernelDrops);
      const newIf = delta(t.lastIfDrops, s.ifDrops);
      if (newKernel > 0 || newIf > 0) reports.push({ interface: t.source.name, kernelDrops: newKernel, ifDrops: newIf });
      t.kernelDrops += newKernel;
      t.ifDrops += newIf;
      if (s.kernelDrops !== 0 || t.lastKernelDrops === 0) t.lastKernelDrops = s.kernelDrops;
      if (s.ifDrops !== 0 || t.lastIfDrops === 0) t.lastIfDrops = s.ifDrops;
      if (s.packets >= t.packets) t.packets = s.packets;
      kernelDrops += t.kernelDrops;
      ifDrops += t.ifDrops;
      packets += t.packets;
      this.counters.set(t.dropsKey, t.kernelDrops);
      this.counters.set(t.ifDropsKey, t.ifDrops);
      this.counters.set(t.packetsKey, t.packets);
    }
    this.counters.set('capture.kernel_drops', kernelDrops);
    this.counters.set('capture.if_drops', ifDrops);
    this.counters.set('capture.packets', packets);
    this.counters.set('capture.drain_packets', drainPackets);
    this.counters.set('capture.drain_cut', drainCut);
    for (const r of reports) {
      this.log?.warn(r, 'packets dropped before capture: the kernel buffer filled (raise --capture-buffer-size) or the interface dropped them');
    }
    return reports;
  }
}

/**
 * Growth of a 32-bit counter. A reading of 0 after a non-zero value means the stats could not be
 * read (closed handle), not a wrap: it adds nothing.
 */
function delta(last: number, now: number): number {
  if (now === last) return 0;
  if (now === 0) return 0;
  return now > last ? now - last : now + WRAP - last;
}
