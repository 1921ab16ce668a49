/**
 * Contracts between the export pipeline (ExportPipeline), its destinations and the CLI.
 */
import type { HttpExchange } from '../http/types.js';

/**
 * The subset of a pino logger the export stage uses: `(fields, message)`. A pino instance fits.
 * Implementations must not throw.
 */
export interface ExportLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

/** A logger that discards everything (tests, library use). */
export const silentLogger: ExportLogger = { info() {}, warn() {}, error() {} };

/**
 * A destination that takes exchanges one at a time, as they arrive (a local file).
 * `write` must not throw and must not block; what it cannot take it drops and counts.
 */
export interface StreamExporter {
  readonly name: string;
  write(ex: HttpExchange): void;
  /** Backpressure for sources that can wait (files): null when ready, else resolves when it is again. */
  whenReady(): Promise<void> | null;
  /** Flushes buffered output and closes; resolves by `deadlineAt` (Date.now() ms) at the latest. */
  shutdown(deadlineAt: number): Promise<void>;
}

/**
 * A destination that takes batches at every export interval (the satellite).
 * `exportBatch` must not throw and must not block: it encodes the batch at once (the exchanges are
 * shared with other exporters and must not be kept or changed) and queues the encoded payload.
 */
export interface BatchExporter {
  readonly name: string;
  exportBatch(batch: readonly HttpExchange[]): void;
  /**
   * Backpressure for sources that can wait (files): null when ready (or when waiting cannot help, e.g.
   * the satellite is failing and retrying), else resolves once the outbox has drained to a low-water mark.
   */
  whenReady(): Promise<void> | null;
  /**
   * Sends what is queued; resolves by `deadlineAt` (Date.now() ms) at the latest. What is still
   * undelivered then is counted in export.failed. No batch is accepted afterwards.
   */
  shutdown(deadlineAt: number): Promise<void>;
}

/** Outcome of one delivery attempt of an encoded batch. */
export type SendResult =
  | { kind: 'ok' }
  /** Worth retrying (network error, timeout, 408, 429, 5xx); `retryAfterMs` from Retry-After when sent. */
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  /** Retrying cannot help (another 4xx): the batch is dropped and counted in export.failed. */
  | { kind: 'reject'; reason: string };

/** An encoded batch: what a transport sends, with the numbers the delivery queue accounts with. */
export interface EncodedBatch<P> {
  payload: P;
  /** Number of exchanges in the batch (the unit of export.* counters). */
  exchanges: number;
  /** Approximate memory held by `payload`, in bytes (the unit of the outbox byte cap). */
  bytes: number;
}

/**
 * Encodes and sends batches to one satellite endpoint. `encode` runs once per batch; `send` may be
 * called several times with the same payload (retries) and must never reject. `send` settles within
 * `timeoutMs`, and at once when `signal` aborts (the shutdown deadline), with its socket destroyed.
 */
export interface BatchTransport<P> {
  readonly name: string;
  encode(batch: readonly HttpExchange[]): EncodedBatch<P>;
  send(payload: P, timeoutMs: number, signal: AbortSignal): Promise<SendResult>;
  /** Releases sockets; called once after the last send. */
  close(): Promise<void>;
}
