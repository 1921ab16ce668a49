/**
 * The satellite's JSON trace shape (reference.md §1): one object per exchange.
 *
 *   { "duration_ns": N, "request_time_ns": N,           <- exact integers (written as JSON number literals)
 *     "http_scheme": "http",
 *     "request":  { "headers": {":method", ":path", ":authority", <lower-case name>: value}, "body": base64, "truncated": bool },
 *     "response": { "headers": {":status", <lower-case name>: value}, "body": base64, "truncated": bool },
 *     "resource": { "service_name", "host_name", "levo_env", "sensor_type", "sensor_version" },
 *     "trace_id": 32 hex, "span_id": 16 hex, "span_kind": "SERVER",
 *     "local_net": { "ip", "port" } (the server), "remote_net": { "ip", "port" } (the client),
 *     HTTP/2 only: "http_version": "2", "http2_stream_id": N, gRPC with a status: "grpc_status": N }
 *
 * Choices: ":path" is the request-target as sent (query included); ":authority" is the Host header,
 * or "serverIp:port" without one. Repeated headers are joined with ", ". An exchange without a
 * response gets a response with no headers and an empty body. Header objects are written as
 * JSON.stringify writes an object without a prototype that got the pseudo-headers, then each header
 * under its lower-case name (a header named "__proto__" is kept as data; names starting with ':' are
 * dropped so that none shadows a pseudo-header).
 *
 * Encoding: a batch is written by a JsonLineWriter straight into one reused buffer (no trace object, no
 * string per trace, bodies' base64 written in place; json-line-writer.ts), then copied out into a Buffer
 * of its exact size that the delivery queue owns.
 */
import { randomBytes } from 'node:crypto';
import type { HttpExchange, HeaderList, MessageBody } from '../http/types.js';
import { durationNsText, endpointsOf, nsDecimal } from './exchange-view.js';
import { JsonLineWriter } from './json-line-writer.js';

export interface LevoResource {
  service_name: string;
  host_name: string;
  levo_env: string;
  sensor_type: string;
  sensor_version: string;
}

/** Headers compared pairwise for repeats (the fast path) up to this many; more: the object path. */
const PAIRWISE_MAX_HEADERS = 32;
/** Initial size of the batch buffer; it grows to the largest batch and is dropped when above KEEP. */
const BATCH_BUFFER_BYTES = 1024 * 1024;
const BATCH_BUFFER_KEEP_BYTES = 8 * 1024 * 1024;

/** The header object as the stock code built it: pseudo-headers, then lower-case names, repeats joined. */
function headerObject(pseudo: readonly string[], headers: HeaderList): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (let i = 0; i < pseudo.length; i += 2) out[pseudo[i]!] = pseudo[i + 1]!;
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    if (key.startsWith(':')) continue; // never let a captured name shadow a pseudo-header
    const prev = out[key];
    out[key] = prev === undefined ? value : `${prev}, ${value}`;
  }
  return out;
}

/** Lower-cased names of the current header list (reused: the encoder is not re-entrant). */
const lowerNames: string[] = [];

/**
 * True when JSON.stringify(headerObject(...)) is the pseudo-headers and then every header in order:
 * no repeated name (repeats are joined) and no name starting with a digit (JSON.stringify writes
 * array-index keys such as "123" first). Fills lowerNames; names starting with ':' are left out when written.
 */
function fieldsInOrder(headers: HeaderList): boolean {
  const n = headers.length;
  if (n > PAIRWISE_MAX_HEADERS) return false;
  lowerNames.length = n;
  for (let i = 0; i < n; i++) {
    const key = headers[i]![0].toLowerCase();
    lowerNames[i] = key;
    const c = key.charCodeAt(0);
    if (c >= 0x30 && c <= 0x39) return false;
    if (c === 0x3a) continue; // dropped when written
    for (let j = 0; j < i; j++) if (lowerNames[j] === key) return false;
  }
  return true;
}

/** `{"<pseudo>":"..",...,"<name>":"..",...}` (pseudo: flat [key, value, ...]). */
function writeHeaderObject(w: JsonLineWriter, pseudo: readonly string[], headers: HeaderList): void {
  if (!fieldsInOrder(headers)) {
    w.json(Buffer.from(JSON.stringify(headerObject(pseudo, headers)), 'utf8'));
    return;
  }
  w.raw('{');
  let first = true;
  for (let i = 0; i < pseudo.length; i += 2) {
    if (!first) w.raw(',');
    first = false;
    w.str(pseudo[i]!);
    w.raw(':');
    w.str(pseudo[i + 1]!);
  }
  for (let i = 0; i < headers.length; i++) {
    const key = lowerNames[i]!;
    if (key.charCodeAt(0) === 0x3a) continue;
    if (!first) w.raw(',');
    first = false;
    w.str(key);
    w.raw(':');
    w.str(headers[i]![1]);
  }
  w.raw('}');
}

/** `"body":"<base64>","truncated":..}` */
function writeBodyTail(w: JsonLineWriter, body: MessageBody | null): void {
  w.raw('"body":"');
  if (body !== null && body.bytes !== null) w.base64(body.bytes);
  w.raw(body !== null && body.truncated ? '","truncated":true}' : '","truncated":false}');
}

/**
 * Writes one trace. `resourceJson`: the resource's JSON text as UTF-8; `ids` holds 24 random bytes for
 * this trace at `idOffset` (16 for trace_id, 8 for span_id).
 */
export function writeLevoTrace(w: JsonLineWriter, ex: HttpExchange, resourceJson: Buffer, ids: Buffer, idOffset: number): void {
  const ep = endpointsOf(ex);
  const rq = ex.request;
  const rs = ex.response;
  const authority = rq.host ?? (ep.serverIp.includes(':') ? `[${ep.serverIp}]:${ep.serverPort}` : `${ep.serverIp}:${ep.serverPort}`);
  // Nanosecond times exceed 2^53: written as exact integer literals rather than through a double.
  w.raw('{"duration_ns":');
  w.raw(durationNsText(ex));
  w.raw(',"request_time_ns":');
  w.raw(nsDecimal(ex.startSec, ex.startNsec));
  w.raw(',"http_scheme":"http","request":{"headers":');
  writeHeaderObject(w, [':method', rq.method, ':path', rq.target, ':authority', authority], rq.headers);
  w.raw(',');
  writeBodyTail(w, rq.body);
  w.raw(',"response":{"headers":');
  if (rs === null) w.raw('{}');
  else writeHeaderObject(w, [':status', String(rs.status)], rs.headers);
  w.raw(',');
  writeBodyTail(w, rs === null ? null : rs.body);
  w.raw(',"resource":');
  w.json(resourceJson);
  w.raw(',"trace_id":"');
  w.hex(ids, idOffset, idOffset + 16);
  w.raw('","span_id":"');
  w.hex(ids, idOffset + 16, idOffset + 24);
  w.raw('","span_kind":"SERVER","local_net":{"ip":');
  w.str(ep.serverIp);
  w.raw(',"port":');
  w.num(ep.serverPort);
  w.raw('},"remote_net":{"ip":');
  w.str(ep.clientIp);
  w.raw(',"port":');
  w.num(ep.clientPort);
  w.raw('}');
  if (ex.streamId !== undefined) {
    // HTTP/2 only (docs/http2.md): the protocol version, the stream, and the gRPC status when there is one
    w.raw(`,"http_version":"2","http2_stream_id":${ex.streamId}`);
    if (ex.grpc !== undefined && ex.grpc.status !== null) w.raw(`,"grpc_status":${ex.grpc.status}`);
  }
  w.raw('}');
}

/** Encodes batches for one resource; keeps its batch buffer between batches (not re-entrant). */
export class LevoBatchEncoder {
  private readonly resourceJson: Buffer;
  private readonly w: JsonLineWriter;

  /** Throws at once when the addon cannot encode base64 (a start-up error, not one per batch). */
  constructor(resource: LevoResource) {
    this.resourceJson = Buffer.from(JSON.stringify(resource), 'utf8');
    this.w = new JsonLineWriter(null, BATCH_BUFFER_BYTES);
  }

  /** The request body for POST /1.0/ebpf/traces: a JSON array of traces, UTF-8, in a new Buffer the caller owns. */
  encode(batch: readonly HttpExchange[]): Buffer {
    const w = this.w;
    const ids = randomBytes(24 * batch.length);
    w.pos = 0;
    w.raw('[');
    for (let i = 0; i < batch.length; i++) {
      if (i > 0) w.raw(',');
      writeLevoTrace(w, batch[i]!, this.resourceJson, ids, 24 * i);
    }
    w.raw(']');
    return w.takeCopy(BATCH_BUFFER_KEEP_BYTES);
  }
}

/** One batch with a one-off encoder (tests, occasional callers). */
export function encodeLevoBatch(batch: readonly HttpExchange[], resource: LevoResource): Buffer {
  return new LevoBatchEncoder(resource).encode(batch);
}
