/**
 * OTLP exporter (the default format): @opentelemetry/exporter-trace-otlp-http POSTs the spans of a batch
 * (otlp-spans.ts, built with the OpenTelemetry SDK) to {satellite}/v1/traces as OTLP/HTTP JSON
 * (Content-Type application/json), with the header x-levo-organization-id on every request.
 *
 * Two retry layers: the OTel transport retries 429/502/503/504 and network errors within one export call,
 * bounded by that call's timeout (it honours Retry-After only when it fits). When an export call still
 * fails, RetryingDelivery re-sends the same spans later with its own backoff; export.retried counts only
 * those outer retries. A failure is permanent only when the OTel error carries a 4xx other than 408/429.
 *
 * The shutdown deadline. An OTel export call cannot be cancelled, but its whole duration, retries included,
 * is bounded by the exporter's `timeoutMillis` (its socket timeout and retry deadline). So:
 *   - sends before shutdown use the exporter made at start-up (timeout = the request timeout, 10 s);
 *   - a send with less time than that (RetryingDelivery passes min(request timeout, time to the deadline)
 *     once shutdown began) goes through an exporter made for that send with exactly that timeout, on the
 *     same agent, so it ends by the deadline;
 *   - when the deadline aborts a send, `send` settles at once and the call left behind ends by its own
 *     bound (at most one request timeout after it began, which was before the deadline).
 * Nothing therefore keeps the process alive past the deadline plus the start-up exporter's timeout of a
 * send begun before the signal: with a 10 s request timeout and a 20 s deadline, the process ends at about
 * 20 s after SIGTERM whatever the satellite does (docs/export.md, "Shutdown").
 */
import type http from 'node:http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { HttpExchange } from '../http/types.js';
import { RetryingDelivery, type DeliveryOptions } from './delivery.js';
import { estimateExchangeBytes } from './exchange-queue.js';
import { createSatelliteAgent } from './http-post.js';
import { endpointUrl, satelliteHeaders, type SatelliteTarget } from './levo-exporter.js';
import { SpanBuilder } from './otlp-spans.js';
import { sensorInfo } from './sensor-info.js';
import type { BatchTransport, EncodedBatch, SendResult } from './types.js';

export const OTLP_TRACES_PATH = '/v1/traces';

/** Spans hold bodies as base64 plus attribute objects: charge 1.5x the exchange estimate. */
const SPAN_MEMORY_FACTOR = 1.5;

/** Default whole-call timeout of one OTel export, ms (RetryingDelivery's request timeout overrides it). */
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The OTel exporter's result (ExportResult of @opentelemetry/core, a transitive dependency we do not
 * import): code 0 is SUCCESS, 1 is FAILED.
 */
export interface OtelExportResult {
  code: number;
  error?: Error;
}

/** Maps the OTel exporter's result to ours (see the module comment). */
export function classifyOtlpResult(r: OtelExportResult): SendResult {
  if (r.code === 0) return { kind: 'ok' };
  const err = r.error as (Error & { code?: unknown }) | undefined;
  const status = typeof err?.code === 'number' ? err.code : undefined;
  const reason = status !== undefined ? `HTTP ${status}` : (err?.message ?? 'export failed');
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return { kind: 'reject', reason };
  }
  return { kind: 'retry', reason };
}

export interface OtlpTransportOptions {
  /** Whole-call timeout of one OTel export (its inner retries included), ms; default 10000. */
  requestTimeoutMs?: number;
}

export class OtlpTransport implements BatchTransport<ReadableSpan[]> {
  readonly name = 'otlp';
  readonly url: URL;
  private readonly spans: SpanBuilder;
  /** One keep-alive agent (with the --satellite-ca trust) for every exporter of this transport. */
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly requestTimeoutMs: number;
  private readonly exporter: OTLPTraceExporter;

  constructor(t: SatelliteTarget, opts: OtlpTransportOptions = {}) {
    const info = sensorInfo();
    this.url = endpointUrl(t.satelliteUrl, OTLP_TRACES_PATH);
    this.spans = new SpanBuilder({
      serviceName: t.serviceName ?? info.name,
      levoEnv: t.levoEnv,
      orgId: t.orgId,
      hostName: info.hostName,
      sensorName: info.name,
      sensorVersion: info.version,
    });
    this.agent = createSatelliteAgent(this.url, t.ca);
    this.headers = satelliteHeaders(t);
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.exporter = this.makeExporter(this.requestTimeoutMs);
  }

  private makeExporter(timeoutMillis: number): OTLPTraceExporter {
    const agent = this.agent;
    return new OTLPTraceExporter({
      url: this.url.href,
      headers: this.headers,
      timeoutMillis,
      concurrencyLimit: 4,
      httpAgentOptions: () => agent,
    });
  }

  encode(batch: readonly HttpExchange[]): EncodedBatch<ReadableSpan[]> {
    let bytes = 0;
    for (const ex of batch) bytes += estimateExchangeBytes(ex);
    return { payload: this.spans.build(batch), exchanges: batch.length, bytes: Math.ceil(bytes * SPAN_MEMORY_FACTOR) };
  }

  send(payload: ReadableSpan[], timeoutMs: number, signal: AbortSignal): Promise<SendResult> {
    return new Promise<SendResult>((resolve) => {
      if (signal.aborted) {
        resolve({ kind: 'retry', reason: 'aborted' });
        return;
      }
      let settled = false;
      const settle = (r: SendResult): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = (): void => settle({ kind: 'retry', reason: 'aborted' });
      signal.addEventListener('abort', onAbort, { once: true });
      const exporter = timeoutMs < this.requestTimeoutMs ? this.makeExporter(Math.max(1, Math.floor(timeoutMs))) : this.exporter;
      try {
        exporter.export(payload, (r) => settle(classifyOtlpResult(r)));
      } catch (err) {
        settle({ kind: 'retry', reason: String(err) });
      }
    });
  }

  /**
   * Called once after the last send (RetryingDelivery: drained, or at the deadline). Does not wait for an
   * abandoned export call (it ends by its own timeout); idle keep-alive sockets are closed.
   */
  async close(): Promise<void> {
    this.exporter.shutdown().catch(() => {});
    this.agent.destroy();
  }
}

/** The OTLP exporter: OTel transport plus retrying, bounded delivery. */
export function createOtlpExporter(t: SatelliteTarget, delivery: DeliveryOptions): RetryingDelivery<ReadableSpan[]> {
  return new RetryingDelivery(new OtlpTransport(t, { requestTimeoutMs: delivery.requestTimeoutMs }), delivery);
}
