/**
 * OTLP exporter (the default format): the spans of a batch (otlp-spans.ts, built with the OpenTelemetry SDK)
 * are serialised once, when the batch is handed over, by the OpenTelemetry JSON serialiser
 * (@opentelemetry/otlp-transformer, the one the OTLP/HTTP exporter package uses) and POSTed to
 * {satellite}/v1/traces as OTLP/HTTP JSON (Content-Type application/json), with the header
 * x-levo-organization-id on every request.
 *
 * The request goes through the same POST as the satellite JSON (http-post.ts), so both formats share one
 * behaviour: RetryingDelivery is the only retry layer (classification in http-post.ts: 2xx ok; 408, 429, 5xx
 * and network errors retried; other 4xx dropped), every attempt has the request timeout, and at the shutdown
 * deadline the request in flight is aborted (an exporter that waited for its own timeouts would overrun it).
 * Retries re-send the same bytes: nothing is serialised twice.
 */
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { HttpExchange } from '../http/types.js';
import { RetryingDelivery, type DeliveryOptions } from './delivery.js';
import { JsonPostTransport } from './http-post.js';
import { endpointUrl, satelliteHeaders, type SatelliteTarget } from './levo-exporter.js';
import { SpanBuilder } from './otlp-spans.js';
import { sensorInfo } from './sensor-info.js';
import type { EncodedBatch } from './types.js';

export const OTLP_TRACES_PATH = '/v1/traces';

export class OtlpTransport extends JsonPostTransport {
  readonly name = 'otlp';
  readonly url: URL;
  private readonly spans: SpanBuilder;

  constructor(t: SatelliteTarget) {
    const url = endpointUrl(t.satelliteUrl, OTLP_TRACES_PATH);
    super(url, satelliteHeaders(t), t.ca);
    this.url = url;
    const info = sensorInfo();
    this.spans = new SpanBuilder({
      serviceName: t.serviceName ?? info.name,
      levoEnv: t.levoEnv,
      orgId: t.orgId,
      hostName: info.hostName,
      sensorName: info.name,
      sensorVersion: info.version,
    });
  }

  /** Throws when the serialiser gives nothing (counted as not encodable by RetryingDelivery). */
  encode(batch: readonly HttpExchange[]): EncodedBatch<Buffer> {
    const bytes = JsonTraceSerializer.serializeRequest(this.spans.build(batch));
    if (bytes === undefined) throw new Error('the OTLP serialiser returned nothing');
    const payload = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { payload, exchanges: batch.length, bytes: payload.length };
  }
}

/** The OTLP exporter: transport plus retrying, bounded delivery. */
export function createOtlpExporter(t: SatelliteTarget, delivery: DeliveryOptions): RetryingDelivery<Buffer> {
  return new RetryingDelivery(new OtlpTransport(t), delivery);
}
