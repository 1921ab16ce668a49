/**
 * Satellite JSON exporter (--export-format levo): POST {satellite}/1.0/ebpf/traces with an array of
 * trace objects (levo-json.ts), Content-Type application/json, header x-levo-organization-id (and the
 * sensor's name/version as User-Agent).
 * Retries, backoff and the bounded outbox come from RetryingDelivery.
 */
import type { HttpExchange } from '../http/types.js';
import { RetryingDelivery, type DeliveryOptions } from './delivery.js';
import { JsonPostTransport } from './http-post.js';
import { LevoBatchEncoder } from './levo-json.js';
import { sensorInfo } from './sensor-info.js';
import type { EncodedBatch } from './types.js';

export const LEVO_TRACES_PATH = '/1.0/ebpf/traces';
export const ORG_ID_HEADER = 'x-levo-organization-id';

export interface SatelliteTarget {
  /** Base URL of the satellite (http or https); a path prefix, if any, is kept. */
  satelliteUrl: URL;
  /** Organization ID, sent as x-levo-organization-id; omitted when empty. */
  orgId: string;
  /** Application environment (--levo-env). */
  levoEnv: string;
  /** PEM CA bundle for an https satellite behind a private CA (--satellite-ca contents). */
  ca?: string | Buffer;
  /** service_name / service.name in the resource; default the sensor's package name. */
  serviceName?: string;
}

/** Headers of every export request: the sensor as User-Agent, the organization ID when there is one. */
export function satelliteHeaders(t: SatelliteTarget): Record<string, string> {
  const info = sensorInfo();
  return { 'user-agent': `${info.name}/${info.version}`, ...(t.orgId !== '' ? { [ORG_ID_HEADER]: t.orgId } : {}) };
}

/** Appends `path` to the base URL's path (no double slash); query and fragment of the base are dropped. */
export function endpointUrl(base: URL, path: string): URL {
  const u = new URL(base.href);
  u.pathname = u.pathname.replace(/\/+$/, '') + path;
  u.search = '';
  u.hash = '';
  return u;
}

export class LevoJsonTransport extends JsonPostTransport {
  readonly name = 'levo';
  private readonly encoder: LevoBatchEncoder;

  constructor(t: SatelliteTarget) {
    super(endpointUrl(t.satelliteUrl, LEVO_TRACES_PATH), satelliteHeaders(t), t.ca);
    const info = sensorInfo();
    this.encoder = new LevoBatchEncoder({
      service_name: t.serviceName ?? info.name,
      host_name: info.hostName,
      levo_env: t.levoEnv,
      sensor_type: info.name,
      sensor_version: info.version,
    });
  }

  encode(batch: readonly HttpExchange[]): EncodedBatch<Buffer> {
    const payload = this.encoder.encode(batch);
    return { payload, exchanges: batch.length, bytes: payload.length };
  }
}

/** The satellite-JSON exporter: transport plus retrying, bounded delivery. */
export function createLevoExporter(t: SatelliteTarget, delivery: DeliveryOptions): RetryingDelivery<Buffer> {
  return new RetryingDelivery(new LevoJsonTransport(t), delivery);
}
