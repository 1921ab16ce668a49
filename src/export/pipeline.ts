/**
 * ExportPipeline: the ExchangeSink at the end of the pipeline, fanning exchanges out to the
 * destinations without ever blocking the capture loop.
 *
 *  onExchange(ex) ─┬─> each StreamExporter.write(ex)          (local file, at once)
 *                  └─> ExchangeQueue (bounded, drop newest)   (only when there are batch exporters)
 *  every exportIntervalMs, or as soon as a full batch is queued:
 *      queue ─> batches (<= maxBatchExchanges, <= maxBatchBytes) ─> each BatchExporter.exportBatch
 *  shutdown(deadlineMs): stop the timer, hand over everything queued as final batches, then wait
 *      for every exporter to deliver and close, within the deadline.
 *
 * Counters: export.queued (exchanges accepted into the queue), export.dropped.queue_full (refused
 * because the queue was at a cap), export.dropped.after_shutdown, gauges export.queue.depth,
 * export.queue.bytes and export.queue.depth_max (high-water mark). Exporters add theirs
 * (delivery.ts, jsonl-file-exporter.ts). Drops are logged at most once per interval.
 */
import type { Counters } from '../util/counters.js';
import type { ExchangeSink, HttpExchange } from '../http/types.js';
import { ExchangeQueue, estimateExchangeBytes } from './exchange-queue.js';
import { silentLogger, type BatchExporter, type ExportLogger, type StreamExporter } from './types.js';

export interface ExportPipelineOptions {
  counters: Counters;
  logger?: ExportLogger;
  /** Time between two hand-overs of queued exchanges to the batch exporters, ms (--trace-export-interval). */
  exportIntervalMs: number;
  streamExporters?: StreamExporter[];
  batchExporters?: BatchExporter[];
  /** Queue cap in exchanges; default 4096. */
  maxQueueExchanges?: number;
  /** Queue cap in estimated bytes (bodies + headers + overhead); default 64 MiB. */
  maxQueueBytes?: number;
  /** Batch cap in exchanges; default 512. */
  maxBatchExchanges?: number;
  /** Batch cap in estimated bytes (a single larger exchange still goes alone); default 4 MiB. */
  maxBatchBytes?: number;
}

export class ExportPipeline implements ExchangeSink {
  private readonly counters: Counters;
  private readonly logger: ExportLogger;
  private readonly streamExporters: StreamExporter[];
  private readonly batchExporters: BatchExporter[];
  private readonly queue: ExchangeQueue | null;
  private readonly maxBatchExchanges: number;
  private readonly maxBatchBytes: number;
  private readonly timer: NodeJS.Timeout | null;
  private readonly flushSoon = (): void => { this.flushScheduled = false; this.handOver(); };
  private flushScheduled = false;
  private droppedSinceLog = 0;
  private depthMax = 0;
  private closed = false;
  private shutdownPromise: Promise<void> | null = null;

  constructor(opts: ExportPipelineOptions) {
    this.counters = opts.counters;
    this.logger = opts.logger ?? silentLogger;
    this.streamExporters = opts.streamExporters ?? [];
    this.batchExporters = opts.batchExporters ?? [];
    this.maxBatchExchanges = opts.maxBatchExchanges ?? 512;
    this.maxBatchBytes = opts.maxBatchBytes ?? 4 * 1024 * 1024;
    if (!(opts.exportIntervalMs > 0)) throw new RangeError('exportIntervalMs must be > 0');
    if (this.batchExporters.length > 0) {
      this.queue = new ExchangeQueue(opts.maxQueueExchanges ?? 4096, opts.maxQueueBytes ?? 64 * 1024 * 1024);
      this.timer = setInterval(() => this.tick(), opts.exportIntervalMs);
      this.timer.unref();
    } else {
      this.queue = null;
      this.timer = null;
    }
  }

  /** Exchanges waiting for the next hand-over. */
  get queueDepth(): number { return this.queue?.depth ?? 0; }

  onExchange(ex: HttpExchange): void {
    if (this.closed) {
      this.counters.inc('export.dropped.after_shutdown');
      return;
    }
    for (let i = 0; i < this.streamExporters.length; i++) this.streamExporters[i]!.write(ex);
    const q = this.queue;
    if (q === null) return;
    if (!q.push(ex, estimateExchangeBytes(ex))) {
      this.counters.inc('export.dropped.queue_full');
      this.droppedSinceLog++;
      return;
    }
    this.counters.inc('export.queued');
    this.counters.set('export.queue.depth', q.depth);
    if (q.depth > this.depthMax) {
      this.depthMax = q.depth;
      this.counters.set('export.queue.depth_max', q.depth);
    }
    if (q.depth >= this.maxBatchExchanges && !this.flushScheduled) {
      // A full batch is ready: hand it over soon, outside the capture loop's call stack.
      this.flushScheduled = true;
      setImmediate(this.flushSoon);
    }
  }

  /**
   * Backpressure for sources that can wait (capture files): hands full batches over now, then returns null
   * when every destination is ready, else a promise that resolves when all are. Live capture never waits:
   * there the queue and outbox caps apply and their drops are counted.
   */
  whenReady(): Promise<void> | null {
    if (this.closed) return null;
    const q = this.queue;
    if (q !== null && q.depth >= this.maxBatchExchanges) this.handOver();
    let waits: Array<Promise<void>> | null = null;
    for (const e of this.streamExporters) {
      const w = e.whenReady();
      if (w !== null) (waits ??= []).push(w);
    }
    for (const e of this.batchExporters) {
      const w = e.whenReady();
      if (w !== null) (waits ??= []).push(w);
    }
    return waits === null ? null : Promise.all(waits).then(() => undefined);
  }

  /** Hands everything queued to the batch exporters now (also done by the interval timer). */
  handOver(): void {
    const q = this.queue;
    if (q === null) return;
    while (q.depth > 0) {
      const batch = q.takeBatch(this.maxBatchExchanges, this.maxBatchBytes);
      for (const exp of this.batchExporters) {
        try {
          exp.exportBatch(batch.exchanges);
        } catch (err) {
          // exporters must not throw; if one does, the others still get the batch
          this.counters.inc('export.failed', batch.exchanges.length);
          this.logger.error({ exporter: exp.name, err: String(err) }, 'export: exporter threw');
        }
      }
    }
    this.publishQueueGauges();
  }

  private tick(): void {
    this.handOver();
    if (this.droppedSinceLog > 0) {
      this.logger.warn({ dropped: this.droppedSinceLog, maxExchanges: this.queue?.maxExchanges, maxBytes: this.queue?.maxBytes },
        'export: queue full, dropped newest exchanges');
      this.droppedSinceLog = 0;
    }
  }

  private publishQueueGauges(): void {
    this.counters.set('export.queue.depth', this.queue?.depth ?? 0);
    this.counters.set('export.queue.bytes', this.queue?.bytes ?? 0);
  }

  /**
   * Stops accepting, hands every queued exchange over as final batches, and waits for all exporters
   * to deliver and close, resolving within `deadlineMs` from now (plus a few ms). What could not be
   * delivered is in export.failed. Idempotent.
   */
  shutdown(deadlineMs: number): Promise<void> {
    if (this.shutdownPromise !== null) return this.shutdownPromise;
    const deadlineAt = Date.now() + Math.max(0, deadlineMs);
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.tick();
    const all: Array<Promise<void>> = [];
    for (const e of this.streamExporters) all.push(e.shutdown(deadlineAt).catch(() => {}));
    for (const e of this.batchExporters) all.push(e.shutdown(deadlineAt).catch(() => {}));
    this.shutdownPromise = Promise.all(all).then(() => {
      this.logger.info({ counters: exportCounters(this.counters) }, 'export: shut down');
    });
    return this.shutdownPromise;
  }
}

/** The export.* subset of the counters, for the final report and the stats line. */
export function exportCounters(counters: Counters): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(counters.snapshot())) if (k.startsWith('export.')) out[k] = v;
  return out;
}
