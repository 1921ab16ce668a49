/**
 * Copies a source's native counters into CaptureStats and the shared Counters.
 * Counter names (all totals since the source was opened):
 *   capture.packets, capture.bytes (captured bytes), capture.batches,
 *   capture.oversize_skipped (packets larger than the batch data buffer, dropped),
 *   capture.kernel_drops, capture.if_drops (pcap_stats, live only).
 */
import type { Counters } from '../util/counters.js';
import type { NativeStats } from './native.js';
import type { CaptureStats } from './types.js';

export function toCaptureStats(native: NativeStats, batches: number): CaptureStats {
  return {
    packets: native.packets,
    bytes: native.bytes,
    batches,
    kernelDrops: native.kernelDrops,
    ifDrops: native.ifDrops,
    received: native.received,
  };
}

export function publishStats(counters: Counters | undefined, native: NativeStats, batches: number): void {
  if (!counters) return;
  counters.set('capture.packets', native.packets);
  counters.set('capture.bytes', native.bytes);
  counters.set('capture.batches', batches);
  counters.set('capture.oversize_skipped', native.oversizeSkipped);
  counters.set('capture.kernel_drops', native.kernelDrops);
  counters.set('capture.if_drops', native.ifDrops);
}
