/**
 * RetryingDelivery: the bounded outbox in front of one satellite transport.
 *
 * Batches are encoded once when handed over (exportBatch) and kept as payloads in a FIFO. One
 * request is in flight at a time (order is kept, memory is bounded). A failed attempt that is
 * worth retrying keeps the batch at the head and waits: exponential backoff with jitter, or the
 * server's Retry-After (clamped to maxRetryAfterMs). While the satellite is down, new batches pile
 * up to maxPendingBatches / maxPendingBytes; past that the OLDEST waiting batch is dropped (the
 * in-flight one never is) and counted in export.dropped.outbox_full: a long outage keeps the most
 * recent traffic. A rejected batch (4xx other than 408/429) is dropped and counted in export.failed.
 *
 * Counters (exchanges unless noted), each also kept per exporter as export.<name>.<counter>:
 *   export.exported             delivered (2xx)
 *   export.failed               rejected, not encodable, or still undelivered at the shutdown deadline (a
 *                               request in flight then is aborted, so the deadline holds against a
 *                               satellite that accepts connections and never answers)
 *   export.retried              retry attempts scheduled (requests, not exchanges)
 *   export.dropped.outbox_full  dropped to stay under the outbox caps
 *   export.<name>.pending_batches / pending_bytes   gauges of the outbox
 */
import type { Counters } from '../util/counters.js';
import type { HttpExchange } from '../http/types.js';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { silentLogger, type BatchExporter, type BatchTransport, type ExportLogger, type SendResult } from './types.js';

export interface DeliveryOptions {
  counters: Counters;
  logger?: ExportLogger;
  /** Cap on batches in the outbox, the in-flight one included; default 64. */
  maxPendingBatches?: number;
  /** Cap on encoded bytes in the outbox; default 64 MiB. A batch arriving at an empty outbox is always taken. */
  maxPendingBytes?: number;
  /** Timeout of one request, ms; default 10000. */
  requestTimeoutMs?: number;
  backoff?: BackoffOptions;
  /** Longest Retry-After honoured, ms (longer values are clamped); default 300000. */
  maxRetryAfterMs?: number;
  /** Minimum time between two warnings of the same kind, ms; default 10000. */
  logEveryMs?: number;
  /** Source of randomness for jitter, [0, 1); default Math.random. */
  random?: () => number;
}

interface Pending<P> {
  payload: P;
  exchanges: number;
  bytes: number;
}

/** Backpressure releases a waiting file reader when the outbox is down to this many batches. */
const READY_LOW_WATER = 2;
/**
 * Backpressure makes a file reader wait from this many batches, or READY_HIGH_WATER_BYTES of encoded
 * batches, in the outbox (whichever comes first; and at half of either cap when the caps are smaller). One
 * batch in flight and a few waiting keep a healthy satellite busy; more would only hold memory (a file run
 * reads far faster than it can send).
 */
const READY_HIGH_WATER = 3;
const READY_HIGH_WATER_BYTES = 8 * 1024 * 1024;

export class RetryingDelivery<P> implements BatchExporter {
  readonly name: string;
  private readonly counters: Counters;
  private readonly logger: ExportLogger;
  private readonly maxBatches: number;
  private readonly maxBytes: number;
  /** whenReady() waits from here (see READY_HIGH_WATER). */
  private readonly highWaterBatches: number;
  private readonly highWaterBytes: number;
  private readonly requestTimeoutMs: number;
  private readonly backoff: Required<BackoffOptions>;
  private readonly maxRetryAfterMs: number;
  private readonly logEveryMs: number;
  private readonly random: () => number;

  /** FIFO; pending[0] is the batch in flight or waiting for its retry. */
  private readonly pending: Pending<P>[] = [];
  private pendingBytes = 0;
  private inFlight = false;
  /** Aborts the request in flight (at the shutdown deadline). */
  private inFlightAbort: AbortController | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Consecutive failed attempts against this endpoint; 0 when the last attempt succeeded. */
  private failures = 0;
  private closing = false;
  private finished = false;
  private deadlineAt = Infinity;
  private onDrained: (() => void) | null = null;
  private readonly readyWaiters: Array<() => void> = [];
  private lastLogAt = new Map<string, number>();
  private droppedSinceLog = 0;

  constructor(private readonly transport: BatchTransport<P>, opts: DeliveryOptions) {
    this.name = transport.name;
    this.counters = opts.counters;
    this.logger = opts.logger ?? silentLogger;
    this.maxBatches = opts.maxPendingBatches ?? 64;
    this.maxBytes = opts.maxPendingBytes ?? 64 * 1024 * 1024;
    this.highWaterBatches = Math.min(READY_HIGH_WATER, this.maxBatches / 2);
    this.highWaterBytes = Math.min(READY_HIGH_WATER_BYTES, this.maxBytes / 2);
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 300_000;
    this.logEveryMs = opts.logEveryMs ?? 10_000;
    this.random = opts.random ?? Math.random;
  }

  /** Batches in the outbox (in flight included). */
  get pendingBatches(): number { return this.pending.length; }

  /**
   * Backpressure: with the outbox at its high-water mark (READY_HIGH_WATER batches or
   * READY_HIGH_WATER_BYTES, or half a cap when that is lower) and the satellite answering, resolves once
   * it is down to READY_LOW_WATER batches. Null when not that full, or while attempts fail (waiting for a
   * satellite that is down would stall a file run: the caps and their drop counters apply instead).
   */
  whenReady(): Promise<void> | null {
    if (this.failures > 0 || this.finished) return null;
    if (this.pending.length < this.highWaterBatches && this.pendingBytes < this.highWaterBytes) return null;
    return new Promise<void>((resolve) => this.readyWaiters.push(resolve));
  }

  private wakeReadyWaiters(): void {
    if (this.readyWaiters.length === 0) return;
    if (this.pending.length > READY_LOW_WATER && this.failures === 0 && !this.finished) return;
    const waiters = this.readyWaiters.splice(0);
    for (const w of waiters) w();
  }

  exportBatch(batch: readonly HttpExchange[]): void {
    if (batch.length === 0) return;
    if (this.closing) {
      // The pipeline hands its final batch before shutdown; anything later is refused and counted.
      this.count('failed', batch.length);
      return;
    }
    let enc;
    try {
      enc = this.transport.encode(batch);
    } catch (err) {
      this.count('failed', batch.length);
      this.rateLimitedLog('encode', 'error', { exporter: this.name, err: String(err) }, 'export: cannot encode batch, dropped');
      return;
    }
    // Make room by dropping the oldest batches that are not in flight.
    while (this.pending.length > 0 && this.overCaps(enc.bytes)) {
      const victim = this.inFlight ? 1 : 0;
      if (victim >= this.pending.length) break;
      const v = this.pending.splice(victim, 1)[0]!;
      this.pendingBytes -= v.bytes;
      this.count('dropped.outbox_full', v.exchanges);
      this.droppedSinceLog += v.exchanges;
    }
    if (this.pending.length > 0 && this.overCaps(enc.bytes)) {
      this.count('dropped.outbox_full', enc.exchanges);
      this.droppedSinceLog += enc.exchanges;
    } else {
      this.pending.push({ payload: enc.payload, exchanges: enc.exchanges, bytes: enc.bytes });
      this.pendingBytes += enc.bytes;
    }
    if (this.droppedSinceLog > 0) {
      if (this.rateLimitedLog('drop', 'warn', { exporter: this.name, dropped: this.droppedSinceLog,
        pendingBatches: this.pending.length, pendingBytes: this.pendingBytes }, 'export: satellite outbox full, dropped oldest batches')) {
        this.droppedSinceLog = 0;
      }
    }
    this.publishGauges();
    this.pump();
  }

  shutdown(deadlineAt: number): Promise<void> {
    if (this.closing) return Promise.resolve();
    this.closing = true;
    this.deadlineAt = deadlineAt;
    // A batch waiting for its backoff gets one more attempt at once.
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    return new Promise<void>((resolve) => {
      const deadlineTimer = setTimeout(() => this.finish(resolve, deadlineTimer), Math.max(0, deadlineAt - Date.now()));
      this.onDrained = () => this.finish(resolve, deadlineTimer);
      if (this.pending.length === 0) this.onDrained();
      else this.pump();
    });
  }

  private finish(resolve: () => void, deadlineTimer: NodeJS.Timeout): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(deadlineTimer);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    // the deadline holds whatever the satellite does: a request still waiting for an answer is cut off
    this.inFlightAbort?.abort();
    this.inFlightAbort = null;
    let undelivered = 0;
    for (const p of this.pending) undelivered += p.exchanges;
    if (undelivered > 0) {
      this.count('failed', undelivered);
      this.logger.warn({ exporter: this.name, undelivered }, 'export: shutdown deadline reached with exchanges undelivered');
    }
    this.pending.length = 0;
    this.pendingBytes = 0;
    this.publishGauges();
    this.wakeReadyWaiters();
    this.transport.close().catch(() => {}).finally(resolve);
  }

  private overCaps(extraBytes: number): boolean {
    return this.pending.length + 1 > this.maxBatches || this.pendingBytes + extraBytes > this.maxBytes;
  }

  private pump(): void {
    if (this.finished || this.inFlight || this.retryTimer !== null) return;
    const head = this.pending[0];
    if (head === undefined) {
      if (this.closing && this.onDrained !== null) this.onDrained();
      return;
    }
    this.inFlight = true;
    const timeout = this.closing
      ? Math.max(1, Math.min(this.requestTimeoutMs, this.deadlineAt - Date.now()))
      : this.requestTimeoutMs;
    const abort = new AbortController();
    this.inFlightAbort = abort;
    let sending: Promise<SendResult>;
    try {
      sending = this.transport.send(head.payload, timeout, abort.signal);
    } catch (err) {
      sending = Promise.resolve({ kind: 'retry', reason: String(err) });
    }
    sending.then(
      (r) => this.onResult(head, r),
      (err: unknown) => this.onResult(head, { kind: 'retry', reason: String(err) }));
  }

  private onResult(head: Pending<P>, r: SendResult): void {
    this.inFlight = false;
    this.inFlightAbort = null;
    this.handleResult(head, r);
    this.wakeReadyWaiters();
  }

  private handleResult(head: Pending<P>, r: SendResult): void {
    if (this.finished || this.pending[0] !== head) return;
    if (r.kind === 'retry') {
      this.failures++;
      this.count('retried', 1);
      const delay = r.retryAfterMs !== undefined
        ? Math.min(r.retryAfterMs, this.maxRetryAfterMs)
        : backoffDelayMs(this.failures, this.backoff, this.random);
      this.rateLimitedLog('retry', 'warn', { exporter: this.name, reason: r.reason, attempt: this.failures, retryInMs: delay,
        pendingBatches: this.pending.length }, 'export: satellite send failed, will retry');
      if (this.closing && Date.now() + delay >= this.deadlineAt) {
        // No time left for another attempt: settle now rather than idle until the deadline.
        this.onDrained?.();
        return;
      }
      this.retryTimer = setTimeout(() => { this.retryTimer = null; this.pump(); }, delay);
      if (!this.closing) this.retryTimer.unref();
      return;
    }
    this.pending.shift();
    this.pendingBytes -= head.bytes;
    if (r.kind === 'ok') {
      if (this.failures > 0) {
        this.logger.info({ exporter: this.name, afterFailures: this.failures }, 'export: satellite reachable again');
      }
      this.failures = 0;
      this.count('exported', head.exchanges);
    } else {
      this.count('failed', head.exchanges);
      this.rateLimitedLog('reject', 'error', { exporter: this.name, reason: r.reason, exchanges: head.exchanges },
        'export: satellite rejected a batch, dropped');
    }
    this.publishGauges();
    this.pump();
  }

  private count(suffix: string, n: number): void {
    this.counters.inc(`export.${suffix}`, n);
    this.counters.inc(`export.${this.name}.${suffix}`, n);
  }

  private publishGauges(): void {
    this.counters.set(`export.${this.name}.pending_batches`, this.pending.length);
    this.counters.set(`export.${this.name}.pending_bytes`, this.pendingBytes);
  }

  /** Logs unless the same kind was logged less than logEveryMs ago; returns whether it logged. */
  private rateLimitedLog(kind: string, level: 'warn' | 'error', fields: object, msg: string): boolean {
    const now = Date.now();
    const last = this.lastLogAt.get(kind);
    if (last !== undefined && now - last < this.logEveryMs) return false;
    this.lastLogAt.set(kind, now);
    this.logger[level](fields, msg);
    return true;
  }
}
