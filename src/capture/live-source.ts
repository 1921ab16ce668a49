/**
 * LiveCaptureSource: captures on one interface. The event loop drives reads: the addon polls
 * libpcap's selectable fd (uv_poll) and calls back once per batch, so no JS runs per packet
 * and nothing blocks the loop. Latency bound of a batch: `timeoutMs` (ring block timeout).
 *
 * Call order: new LiveCaptureSource(device, options) (activates the capture and installs the
 * filter, throws CaptureFailure: reason 'permission' without CAP_NET_RAW, 'no-such-device'
 * for an unknown interface) -> run(sink) -> stop() -> (run resolves) -> close().
 *
 * Graceful stop (drain): packets the kernel received before stop() may still sit in the ring block
 * being filled, which the kernel hands over only when it retires the block (block timeout). stop()
 * therefore keeps delivering for a settle time of 2 x timeoutMs + 50 ms (the kernel's retire timer
 * closes a block on its first or second tick after the packet; see docs/capture.md), then stops
 * polling and reads non-blocking until the ring is empty, one batch per event-loop turn, and only
 * then resolves run(). Bounds: `drainMs` (whole drain, wall clock) and `drainMaxPackets` (checked per
 * batch, so at most one batch more). A drain that a bound (or close()) ended while packets were still
 * readable is reported by drainStats().cut (capture.drain_cut). Packets that arrive during the drain
 * are delivered too.
 */
import type { Counters } from '../util/counters.js';
import { allocateBatchBuffers, ReusableBatch, type BatchBufferOptions } from './batch-buffers.js';
import { CaptureFailure, liveCaptureError } from './errors.js';
import { loadAddon, type NativeError, type NativePcapHandle, type NativeStats } from './native.js';
import { publishStats, toCaptureStats } from './publish-stats.js';
import type { BatchSink, CaptureSource, CaptureStats } from './types.js';

export const DEFAULT_LIVE_SNAPLEN = 262144;
export const DEFAULT_LIVE_BUFFER_BYTES = 32 * 1024 * 1024;
export const DEFAULT_LIVE_TIMEOUT_MS = 100;
/** Upper bound on the whole graceful-stop drain (wall clock). */
export const DEFAULT_DRAIN_MS = 2000;
/** Upper bound on packets delivered after stop(): ~1 s of 250k pkt/s, a full 64 MiB ring of small frames. */
export const DEFAULT_DRAIN_MAX_PACKETS = 262144;
/** Added to 2 x timeoutMs before the final read: timer slack (jiffies) and the poll wakeup. */
const DRAIN_SETTLE_MARGIN_MS = 50;

export interface LiveCaptureOptions {
  filter?: string;
  /** Bytes kept per packet; default 262144. Must not exceed the batch dataBytes. */
  snaplen?: number;
  /** Kernel ring buffer; default 32 MiB. When it fills, the kernel drops (capture.kernel_drops). */
  bufferBytes?: number;
  /** Ring block timeout; default 100 ms. */
  timeoutMs?: number;
  /** Default true. */
  promiscuous?: boolean;
  batch?: BatchBufferOptions;
  counters?: Counters;
  /** Graceful stop: longest drain after stop(), ms; default 2000. 0 = no drain (stop at once). */
  drainMs?: number;
  /** Graceful stop: most packets delivered after stop(); default 262144. */
  drainMaxPackets?: number;
}

/** What the graceful-stop drain did (zeros until stop() was called). */
export interface DrainStats {
  /** Packets delivered after stop(). */
  packets: number;
  /** 1 when drainMs, drainMaxPackets or close() ended the drain while packets were still readable. */
  cut: number;
  /** Wall-clock ms from stop() to run() resolving. */
  durationMs: number;
}

export class LiveCaptureSource implements CaptureSource {
  readonly name: string;
  readonly linkType: number;
  private readonly handle: NativePcapHandle;
  private readonly batch: ReusableBatch;
  private readonly counters: Counters | undefined;
  private batches = 0;
  private sink: BatchSink | undefined;
  private settle: ((err?: CaptureFailure) => void) | undefined;
  private closed = false;
  private readonly timeoutMs: number;
  private readonly drainMs: number;
  private readonly drainMaxPackets: number;
  /** Drain state: set by stop() while running. */
  private draining = false;
  private drainStart = 0;
  private drainTimer: NodeJS.Timeout | undefined;
  private drainImmediate: NodeJS.Immediate | undefined;
  private readonly drain: DrainStats = { packets: 0, cut: 0, durationMs: 0 };
  /**
   * pcap_stats read just before the handle was closed. A closed handle reads as zeros, so stats()
   * returns these instead: totals published after close() (apidump's final report) still count the
   * packets received and dropped. Without this, drops after the last periodic publish were lost.
   */
  private statsAtClose: NativeStats | undefined;
  /** Bound once: the addon calls it per batch. */
  private readonly onNativeBatch = (err: NativeError | null, count: number): void => {
    if (count > 0 && this.sink) this.deliver(count);
    if (err) this.finish(liveCaptureError(this.name, err));
    else if (this.draining && this.drain.packets >= this.drainMaxPackets) this.endDrain(true);
  };
  /** Bound once: the final, non-blocking reads of the drain, one batch per event-loop turn. */
  private readonly readRest = (): void => {
    this.drainImmediate = undefined;
    if (!this.settle) return;
    let count: number;
    try {
      count = this.handle.readBatch();
    } catch (err) {
      this.finish(liveCaptureError(this.name, err));
      return;
    }
    if (count > 0 && this.sink) this.deliver(count);
    if (count <= 0) {
      this.endDrain(false);
    } else if (this.drain.packets >= this.drainMaxPackets || Date.now() - this.drainStart >= this.drainMs) {
      this.endDrain(true);
    } else {
      this.drainImmediate = setImmediate(this.readRest);
    }
  };

  constructor(device: string, options: LiveCaptureOptions = {}) {
    const snaplen = options.snaplen ?? DEFAULT_LIVE_SNAPLEN;
    const buffers = allocateBatchBuffers(options.batch);
    if (snaplen > buffers.data.length) {
      throw new CaptureFailure('state', `snaplen ${snaplen} exceeds the batch data buffer (${buffers.data.length} bytes)`);
    }
    const addon = loadAddon();
    this.handle = new addon.PcapHandle(buffers.data, buffers.meta);
    try {
      this.handle.openLive({
        device,
        filter: options.filter ?? '',
        snaplen,
        bufferBytes: options.bufferBytes ?? DEFAULT_LIVE_BUFFER_BYTES,
        timeoutMs: options.timeoutMs ?? DEFAULT_LIVE_TIMEOUT_MS,
        promiscuous: options.promiscuous ?? true,
      });
    } catch (err) {
      this.handle.close();
      throw liveCaptureError(device, err);
    }
    this.name = device;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_LIVE_TIMEOUT_MS;
    this.drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
    this.drainMaxPackets = options.drainMaxPackets ?? DEFAULT_DRAIN_MAX_PACKETS;
    this.linkType = this.handle.linkType;
    this.counters = options.counters;
    this.batch = new ReusableBatch(buffers, this.linkType, device);
  }

  run(sink: BatchSink): Promise<void> {
    if (this.settle) return Promise.reject(new CaptureFailure('state', `capture on ${this.name} is already running`));
    if (this.closed) return Promise.reject(new CaptureFailure('state', `capture on ${this.name} is closed`));
    return new Promise<void>((resolve, reject) => {
      this.sink = sink;
      this.settle = (err) => (err ? reject(err) : resolve());
      try {
        this.handle.startLive(this.onNativeBatch);
      } catch (err) {
        this.finish(liveCaptureError(this.name, err));
      }
    });
  }

  /**
   * Graceful stop: keeps delivering what the kernel already holds (see the file comment), then
   * resolves run(). With drainMs 0, or before run(), stops at once. Idempotent.
   */
  stop(): void {
    if (!this.settle || this.draining) return;
    if (this.drainMs <= 0) {
      this.finish();
      return;
    }
    this.draining = true;
    this.drainStart = Date.now();
    const settleMs = Math.min(2 * this.timeoutMs + DRAIN_SETTLE_MARGIN_MS, this.drainMs);
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined;
      if (!this.settle) return;
      this.handle.stopLive(); // no more poll callbacks: the rest is read here, non-blocking
      this.readRest();
    }, settleMs);
  }

  /** What the last graceful stop did. */
  drainStats(): DrainStats {
    return { ...this.drain };
  }

  stats(): CaptureStats {
    const native = this.statsAtClose ?? this.handle.stats();
    publishStats(this.counters, native, this.batches);
    return toCaptureStats(native, this.batches);
  }

  /** Releases the handle; a drain in progress is cut short (run() resolves). */
  close(): void {
    if (this.draining && this.settle) this.drain.cut = 1;
    this.finish();
    if (this.closed) return;
    this.closed = true;
    this.statsAtClose = this.handle.stats();
    publishStats(this.counters, this.statsAtClose, this.batches);
    this.handle.close();
  }

  private deliver(count: number): void {
    this.batch.count = count;
    this.batches++;
    if (this.draining) this.drain.packets += count;
    this.sink!.onBatch(this.batch);
  }

  private endDrain(cut: boolean): void {
    if (cut) this.drain.cut = 1;
    this.finish();
  }

  private finish(err?: CaptureFailure): void {
    const settle = this.settle;
    if (!settle) return;
    this.settle = undefined;
    this.sink = undefined;
    clearTimeout(this.drainTimer);
    clearImmediate(this.drainImmediate);
    this.drainTimer = undefined;
    this.drainImmediate = undefined;
    if (this.draining) this.drain.durationMs = Date.now() - this.drainStart;
    this.draining = false;
    this.handle.stopLive();
    publishStats(this.counters, this.handle.stats(), this.batches);
    settle(err);
  }
}
