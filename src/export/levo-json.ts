/**
 * The satellite's JSON trace shape (reference.md §1): one object per exchange.
 *
 *   { "duration_ns": N, "request_time_ns": N,           <- exact integers (written as JSON number literals)
 *     "http_scheme": "http",
 *     "request":  { "headers": {":method", ":path", ":authority", <lower-case name>: value}, "body": base64, "truncated": bool },
 *     "response": { "headers": {":status", <lower-case name>: value}, "body": base64, "truncated": bool },
 *     "resource": { "service_name", "host_name", "levo_env", "sensor_type", "sensor_version" },
 *     "trace_id": 32 hex, "span_id": 16 hex, "span_kind": "SERVER",
 *     "local_net": { "ip", "port" } (the server), "remote_net": { "ip", "port" } (the client) }
 *
 * Choices: ":path" is the request-target as sent (query included); ":authority" is the Host header,
 * or "serverIp:port" without one. Repeated headers are joined with ", ". An exchange without a
 * response gets a response with no headers and an empty body. Header objects have no prototype,
 * so a header named "__proto__" is kept as data.
 */
import { randomBytes } from 'node:crypto';
import type { HttpExchange, HeaderList, MessageBody } from '../http/types.js';
import { durationNs, endpointsOf, startNs } from './exchange-view.js';

export interface LevoResource {
  service_name: string;
  host_name: string;
  levo_env: string;
  sensor_type: string;
  sensor_version: string;
}

function headerObject(pseudo: Array<[string, string]>, headers: HeaderList): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of pseudo) out[k] = v;
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    if (key.startsWith(':')) continue; // never let a captured name shadow a pseudo-header
    const prev = out[key];
    out[key] = prev === undefined ? value : `${prev}, ${value}`;
  }
  return out;
}

function bodyBase64(b: MessageBody): string {
  return b.bytes === null ? '' : b.bytes.toString('base64');
}

/**
 * JSON text of one trace. `ids` holds 24 random bytes for this trace starting at `idOffset`
 * (16 for trace_id, 8 for span_id).
 */
export function levoTraceJson(ex: HttpExchange, resource: LevoResource, ids: Buffer, idOffset: number): string {
  const ep = endpointsOf(ex);
  const rq = ex.request;
  const rs = ex.response;
  const authority = rq.host ?? (ep.serverIp.includes(':') ? `[${ep.serverIp}]:${ep.serverPort}` : `${ep.serverIp}:${ep.serverPort}`);
  const rest = {
    http_scheme: 'http',
    request: {
      headers: headerObject([[':method', rq.method], [':path', rq.target], [':authority', authority]], rq.headers),
      body: bodyBase64(rq.body),
      truncated: rq.body.truncated,
    },
    response: rs === null
      ? { headers: Object.create(null) as Record<string, string>, body: '', truncated: false }
      : { headers: headerObject([[':status', String(rs.status)]], rs.headers), body: bodyBase64(rs.body), truncated: rs.body.truncated },
    resource,
    trace_id: ids.toString('hex', idOffset, idOffset + 16),
    span_id: ids.toString('hex', idOffset + 16, idOffset + 24),
    span_kind: 'SERVER',
    local_net: { ip: ep.serverIp, port: ep.serverPort },
    remote_net: { ip: ep.clientIp, port: ep.clientPort },
  };
  // Nanosecond times exceed 2^53: write them as exact integer literals rather than through a double.
  return `{"duration_ns":${durationNs(ex)},"request_time_ns":${startNs(ex)},${JSON.stringify(rest).slice(1)}`;
}

/** The request body for POST /1.0/ebpf/traces: a JSON array of traces, as UTF-8 bytes. */
export function encodeLevoBatch(batch: readonly HttpExchange[], resource: LevoResource): Buffer {
  const ids = randomBytes(24 * batch.length);
  const parts: string[] = new Array(batch.length);
  for (let i = 0; i < batch.length; i++) parts[i] = levoTraceJson(batch[i]!, resource, ids, 24 * i);
  return Buffer.from(`[${parts.join(',')}]`, 'utf8');
}
