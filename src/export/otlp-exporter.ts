/**
 * OTLP exporter (the default format): @opentelemetry/exporter-trace-otlp-http POSTs the spans of a
 * batch to {satellite}/v1/traces as OTLP/HTTP JSON (that package always sends
 * Content-Type application/json; the protobuf variant is a different package), with the header
 * x-levo-organization-id on every request.
 *
 * Two retry layers: the OTel transport itself retries 429/502/503/504 and network errors up to
 * 5 times within one export call, bounded by requestTimeoutMs (honouring Retry-After only when it
 * fits in that time). When an export call still fails, RetryingDelivery re-sends the same spans
 * later with its own backoff. export.retried counts only the outer retries. A failure is treated
 * as permanent only when the OTel error carries a 4xx status other than 408/429.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { HttpExchange } from '../http/types.js';
import { RetryingDelivery, type DeliveryOptions } from './delivery.js';
import { estimateExchangeBytes } from './exchange-queue.js';
import { endpointUrl, ORG_ID_HEADER, type SatelliteTarget } from './levo-exporter.js';
import { SpanBuilder } from './otlp-spans.js';
import { sensorInfo } from './sensor-info.js';
import type { BatchTransport, EncodedBatch, SendResult } from './types.js';

export const OTLP_TRACES_PATH = '/v1/traces';

/** Spans hold bodies as base64 plus attribute objects: charge 1.5x the exchange estimate. */
const SPAN_MEMORY_FACTOR = 1.5;

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
  /** Whole-export timeout of one OTel export call (its inner retries included), ms; default 10000. */
  requestTimeoutMs?: number;
}

export class OtlpTransport implements BatchTransport<ReadableSpan[]> {
  readonly name = 'otlp';
  readonly url: URL;
  private readonly exporter: OTLPTraceExporter;
  private readonly spans: SpanBuilder;

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
    this.exporter = new OTLPTraceExporter({
      url: this.url.href,
      headers: t.orgId !== '' ? { [ORG_ID_HEADER]: t.orgId } : {},
      timeoutMillis: opts.requestTimeoutMs ?? 10_000,
      concurrencyLimit: 4,
      httpAgentOptions: { keepAlive: true, maxSockets: 2, ...(t.ca !== undefined ? { ca: t.ca } : {}) },
    });
  }

  encode(batch: readonly HttpExchange[]): EncodedBatch<ReadableSpan[]> {
    let bytes = 0;
    for (const ex of batch) bytes += estimateExchangeBytes(ex);
    return { payload: this.spans.build(batch), exchanges: batch.length, bytes: Math.ceil(bytes * SPAN_MEMORY_FACTOR) };
  }

  /** `timeoutMs` is not used: the OTel exporter's timeout is fixed at construction. */
  send(payload: ReadableSpan[]): Promise<SendResult> {
    return new Promise<SendResult>((resolve) => {
      try {
        this.exporter.export(payload, (r) => resolve(classifyOtlpResult(r)));
      } catch (err) {
        resolve({ kind: 'retry', reason: String(err) });
      }
    });
  }

  close(): Promise<void> {
    return this.exporter.shutdown().catch(() => {});
  }
}

/** The OTLP exporter: OTel transport plus retrying, bounded delivery. */
export function createOtlpExporter(t: SatelliteTarget, delivery: DeliveryOptions): RetryingDelivery<ReadableSpan[]> {
  return new RetryingDelivery(new OtlpTransport(t, { requestTimeoutMs: delivery.requestTimeoutMs }), delivery);
}
