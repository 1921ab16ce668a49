/**
 * FileCaptureSource: reads a pcap or pcapng file (micro or nanosecond timestamps; libpcap
 * decides the format) through the native addon and delivers it in batches.
 *
 * Call order: new FileCaptureSource(path, options) (opens the file and compiles the filter, throws
 * CaptureFailure) -> run(sink) once -> stats() any time -> close().
 */
import { statSync } from 'node:fs';
import type { Counters } from '../util/counters.js';
import { allocateBatchBuffers, ReusableBatch, type BatchBufferOptions } from './batch-buffers.js';
import { CaptureFailure, fileCaptureError } from './errors.js';
import { loadAddon, type NativePcapHandle } from './native.js';
import { publishStats, toCaptureStats } from './publish-stats.js';
import type { BatchSink, CaptureSource, CaptureStats } from './types.js';
import { yieldToEventLoop } from './yield.js';

export interface FileCaptureOptions {
  /** pcap-filter(7) expression; empty or absent: every packet. */
  filter?: string;
  batch?: BatchBufferOptions;
  /** Receives capture.* totals after run() and on every stats() call. */
  counters?: Counters;
}

export class FileCaptureSource implements CaptureSource {
  readonly name: string;
  readonly linkType: number;
  /** pcap_snapshot() of the file: the largest packet it may hold. */
  readonly snaplen: number;
  private readonly handle: NativePcapHandle;
  private readonly batch: ReusableBatch;
  private readonly counters: Counters | undefined;
  private batches = 0;
  private running = false;
  private stopRequested = false;
  private closeRequested = false;
  private closed = false;

  constructor(path: string, options: FileCaptureOptions = {}) {
    checkReadableFile(path);
    const buffers = allocateBatchBuffers(options.batch);
    const addon = loadAddon();
    this.handle = new addon.PcapHandle(buffers.data, buffers.meta);
    try {
      this.handle.openOffline(path, options.filter ?? '');
    } catch (err) {
      this.handle.close();
      throw fileCaptureError(path, err);
    }
    this.name = path;
    this.linkType = this.handle.linkType;
    this.snaplen = this.handle.snaplen;
    this.counters = options.counters;
    this.batch = new ReusableBatch(buffers, this.linkType, path);
  }

  async run(sink: BatchSink): Promise<void> {
    if (this.running) throw new CaptureFailure('state', `capture ${this.name} is already running`);
    if (this.closed) throw new CaptureFailure('state', `capture ${this.name} is closed`);
    this.running = true;
    try {
      while (!this.stopRequested) {
        let count: number;
        try {
          count = this.handle.readBatch();
        } catch (err) {
          throw fileCaptureError(this.name, err);
        }
        if (count < 0) break; // end of file
        if (count > 0) {
          this.batch.count = count;
          this.batches++;
          sink.onBatch(this.batch);
        }
        // a file can wait for the export to catch up (nothing is lost by reading later); else just yield
        const ready = sink.whenReady ? sink.whenReady() : null;
        await (ready ?? yieldToEventLoop());
      }
    } finally {
      this.running = false;
      publishStats(this.counters, this.handle.stats(), this.batches);
      if (this.closeRequested) this.closeNow();
    }
  }

  stop(): void {
    this.stopRequested = true;
  }

  stats(): CaptureStats {
    const native = this.handle.stats();
    publishStats(this.counters, native, this.batches);
    return toCaptureStats(native, this.batches);
  }

  /** Closes the file; during run(), takes effect when run() returns (after the current batch). */
  close(): void {
    this.stopRequested = true;
    if (this.running) this.closeRequested = true;
    else this.closeNow();
  }

  private closeNow(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.close();
  }
}

/** Clear open-time errors for the common cases, before libpcap's terser ones. */
function checkReadableFile(path: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new CaptureFailure('not-found', `capture file not found: ${path}`);
    }
    throw new CaptureFailure('open', `cannot open capture file ${path}: ${(err as Error).message}`);
  }
  if (!isFile) throw new CaptureFailure('open', `cannot open capture file ${path}: not a regular file`);
}
