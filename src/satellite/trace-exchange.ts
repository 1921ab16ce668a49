/**
 * What the embedded satellite receives, read back into the inventory's exchange (src/inventory/types.ts):
 * an OTLP span record (otlp-json.ts; attributes as src/export/otlp-spans.ts writes them) or a satellite
 * JSON trace (src/export/levo-json.ts). For the same exchange both give what `fromHttpExchange` gives, so
 * the live catalog and `pcap-sensor inventory` on the same capture agree (tested), with two limits of the
 * wire formats: a truncated body's full length is not sent in the satellite JSON (its captured size is
 * used), and repeated headers arrive joined (names are what the inventory keeps).
 * Returns null for a record that is not an HTTP exchange (no method or path).
 */
import { targetPath } from '../http/pending-exchange.js';
import { hostOf, msOf } from '../inventory/exchange-input.js';
import type { BodyInput, InventoryExchange } from '../inventory/types.js';

type Attrs = Record<string, unknown>;

function text(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return null;
}

/** `prefix<name>` attributes (string arrays) as a header list, one entry per value. */
function headersOf(attrs: Attrs, prefix: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(attrs)) {
    if (!k.startsWith(prefix)) continue;
    const name = k.slice(prefix.length);
    for (const value of Array.isArray(v) ? v : [v]) out.push([name, String(value)]);
  }
  return out;
}

function body(base64: unknown, length: unknown, truncated: unknown): BodyInput {
  const bytes = typeof base64 === 'string' && base64 !== '' ? Buffer.from(base64, 'base64') : null;
  const n = Number(length);
  return { length: Number.isFinite(n) && n >= 0 ? n : bytes?.length ?? 0, bytes, truncated: truncated === true };
}

/** One span record (its `span` with plain attributes). */
export function fromOtlpSpan(span: { attributes: Attrs; startTimeUnixNano?: unknown; endTimeUnixNano?: unknown }): InventoryExchange | null {
  const a = span.attributes;
  const method = text(a['http.request.method']);
  const path = text(a['url.path']);
  if (method === null || path === null) return null;
  const status = a['http.response.status_code'];
  const query = text(a['url.query']);
  return {
    method,
    host: hostOf(text(a['http.request.header.host']), text(a['network.local.address']) ?? '', Number(a['network.local.port'] ?? 0)),
    path,
    query: query ?? '',
    requestHeaders: headersOf(a, 'http.request.header.'),
    requestBody: body(a['levo.http.request.body'], a['http.request.body.size'], a['levo.http.request.body.truncated']),
    response: status === undefined || status === null ? null : {
      status: Number(status),
      headers: headersOf(a, 'http.response.header.'),
      body: body(a['levo.http.response.body'], a['http.response.body.size'], a['levo.http.response.body.truncated']),
    },
    startMs: msOf(span.startTimeUnixNano),
    endMs: msOf(span.endTimeUnixNano),
  };
}

/** Header object -> list, pseudo-headers (`:method`, ...) left out. */
function plainHeaders(h: Record<string, unknown>): Array<[string, string]> {
  return Object.entries(h).filter(([k]) => !k.startsWith(':')).map(([k, v]) => [k, String(v)]);
}

/** One satellite JSON trace (duration_ns and request_time_ns as decimal strings, as the satellite keeps them). */
export function fromLevoTrace(t: any): InventoryExchange | null {
  const rqh = t?.request?.headers;
  if (rqh === null || typeof rqh !== 'object') return null;
  const method = rqh[':method'];
  const target = rqh[':path'];
  if (typeof method !== 'string' || typeof target !== 'string') return null;
  const q = target.indexOf('?');
  const hash = target.indexOf('#', q < 0 ? 0 : q);
  const rsh = t.response?.headers ?? {};
  const status = rsh[':status'];
  const startNs = BigInt(String(t.request_time_ns));
  const endNs = startNs + BigInt(String(t.duration_ns));
  const reqBody = body(t.request.body, undefined, t.request.truncated);
  const resBody = body(t.response?.body, undefined, t.response?.truncated);
  return {
    method,
    host: hostOf(typeof rqh[':authority'] === 'string' ? rqh[':authority'] : null, String(t.local_net?.ip ?? ''), Number(t.local_net?.port ?? 0)),
    path: targetPath(target),
    query: q < 0 ? '' : target.slice(q + 1, hash < 0 ? undefined : hash),
    requestHeaders: plainHeaders(rqh),
    requestBody: reqBody,
    response: status === undefined ? null : { status: Number(status), headers: plainHeaders(rsh), body: resBody },
    startMs: msOf(startNs.toString()),
    endMs: msOf(endNs.toString()),
  };
}
