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
import { durationNsText, endpointsOf, nsDecimal } from './exchange-view.js';

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

const str = JSON.stringify;

/**
 * One trace as three pieces of JSON text around the two bodies' base64 (ASCII, no JSON escaping needed):
 * head + request base64 + mid + response base64 + tail. The bodies never pass through JSON.stringify
 * nor a string concatenation, only into the batch buffer. `ids` holds 24 random bytes for this trace
 * starting at `idOffset` (16 for trace_id, 8 for span_id).
 */
interface TracePieces {
  head: string;
  reqB64: string;
  mid: string;
  resB64: string;
  tail: string;
}

function tracePieces(ex: HttpExchange, resourceJson: string, ids: Buffer, idOffset: number): TracePieces {
  const ep = endpointsOf(ex);
  const rq = ex.request;
  const rs = ex.response;
  const authority = rq.host ?? (ep.serverIp.includes(':') ? `[${ep.serverIp}]:${ep.serverPort}` : `${ep.serverIp}:${ep.serverPort}`);
  const reqHeaders = headerObject([[':method', rq.method], [':path', rq.target], [':authority', authority]], rq.headers);
  const resHeaders = rs === null ? Object.create(null) as Record<string, string> : headerObject([[':status', String(rs.status)]], rs.headers);
  // Nanosecond times exceed 2^53: written as exact integer literals rather than through a double.
  return {
    head: `{"duration_ns":${durationNsText(ex)},"request_time_ns":${nsDecimal(ex.startSec, ex.startNsec)},"http_scheme":"http",` +
      `"request":{"headers":${str(reqHeaders)},"body":"`,
    reqB64: rq.body.bytes === null ? '' : rq.body.bytes.toString('base64'),
    mid: `","truncated":${str(rq.body.truncated)}},"response":{"headers":${str(resHeaders)},"body":"`,
    resB64: rs === null || rs.body.bytes === null ? '' : rs.body.bytes.toString('base64'),
    tail: `","truncated":${str(rs === null ? false : rs.body.truncated)}},"resource":${resourceJson},` +
      `"trace_id":"${ids.toString('hex', idOffset, idOffset + 16)}","span_id":"${ids.toString('hex', idOffset + 16, idOffset + 24)}",` +
      `"span_kind":"SERVER","local_net":${str({ ip: ep.serverIp, port: ep.serverPort })},` +
      `"remote_net":${str({ ip: ep.clientIp, port: ep.clientPort })}}`,
  };
}

/** JSON text of one trace (the same text encodeLevoBatch writes for it). */
export function levoTraceJson(ex: HttpExchange, resource: LevoResource, ids: Buffer, idOffset: number): string {
  const p = tracePieces(ex, str(resource), ids, idOffset);
  return p.head + p.reqB64 + p.mid + p.resB64 + p.tail;
}

/** The request body for POST /1.0/ebpf/traces: a JSON array of traces, as UTF-8 bytes in one new Buffer. */
export function encodeLevoBatch(batch: readonly HttpExchange[], resource: LevoResource): Buffer {
  const ids = randomBytes(24 * batch.length);
  const resourceJson = str(resource);
  const traces: TracePieces[] = new Array(batch.length);
  let total = 2 + Math.max(0, batch.length - 1); // brackets and commas
  for (let i = 0; i < batch.length; i++) {
    const p = tracePieces(batch[i]!, resourceJson, ids, 24 * i);
    traces[i] = p;
    total += Buffer.byteLength(p.head, 'utf8') + p.reqB64.length + Buffer.byteLength(p.mid, 'utf8') +
      p.resB64.length + Buffer.byteLength(p.tail, 'utf8');
  }
  const out = Buffer.allocUnsafe(total);
  let o = out.write('[', 0, 'latin1');
  for (let i = 0; i < traces.length; i++) {
    const p = traces[i]!;
    if (i > 0) o += out.write(',', o, 'latin1');
    o += out.write(p.head, o, 'utf8');
    o += out.write(p.reqB64, o, 'latin1');
    o += out.write(p.mid, o, 'utf8');
    o += out.write(p.resB64, o, 'latin1');
    o += out.write(p.tail, o, 'utf8');
  }
  out.write(']', o, 'latin1');
  return out;
}
