/**
 * LiveCaptureSource: captures on one interface. The event loop drives reads: the addon polls
 * libpcap's selectable fd (uv_poll) and calls back once per batch, so no JS runs per packet
 * and nothing blocks the loop. Latency bound of a batch: `timeoutMs` (ring block timeout).
 *
 * Call order: new LiveCaptureSource(device, options) (activates the capture and installs the
 * filter, throws CaptureFailure: reason 'permission' without CAP_NET_RAW, 'no-such-device'
 * for an unknown interface) -> run(sink) -> stop() -> close().
 */
import type { Counters } from '../util/counters.js';
import { allocateBatchBuffers, ReusableBatch, type BatchBufferOptions } from './batch-buffers.js';
import { CaptureFailure, liveCaptureError } from './errors.js';
import { loadAddon, type NativeError, type NativePcapHandle } from './native.js';
import { publishStats, toCaptureStats } from './publish-stats.js';
import type { BatchSink, CaptureSource, CaptureStats } from './types.js';

export const DEFAULT_LIVE_SNAPLEN = 262144;
export const DEFAULT_LIVE_BUFFER_BYTES = 32 * 1024 * 1024;
export const DEFAULT_LIVE_TIMEOUT_MS = 100;

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
  /** Bound once: the addon calls it per batch. */
  private readonly onNativeBatch = (err: NativeError | null, count: number): void => {
    if (count > 0 && this.sink) {
      this.batch.count = count;
      this.batches++;
      this.sink.onBatch(this.batch);
    }
    if (err) this.finish(liveCaptureError(this.name, err));
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

  /** Stops delivering at once (no batch after this returns) and resolves run(). */
  stop(): void {
    this.finish();
  }

  stats(): CaptureStats {
    const native = this.handle.stats();
    publishStats(this.counters, native, this.batches);
    return toCaptureStats(native, this.batches);
  }

  close(): void {
    this.finish();
    if (this.closed) return;
    this.closed = true;
    publishStats(this.counters, this.handle.stats(), this.batches);
    this.handle.close();
  }

  private finish(err?: CaptureFailure): void {
    const settle = this.settle;
    if (!settle) return;
    this.settle = undefined;
    this.sink = undefined;
    this.handle.stopLive();
    publishStats(this.counters, this.handle.stats(), this.batches);
    settle(err);
  }
}
