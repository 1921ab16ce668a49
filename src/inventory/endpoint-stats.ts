/**
 * What one endpoint (host, method, path template) accumulates: calls, statuses, latency and body-size
 * percentiles, content types, query parameter names and types, request header names, auth schemes, first and
 * last seen, JSON Schemas of the bodies. Never a header, query or body value: only names, types and numbers.
 *
 * `merge(other)` folds another endpoint's figures in (when learning turns literal paths into one template);
 * add and merge are order-free, so the figures depend on the set of exchanges only (docs/inventory.md).
 * Per-endpoint bounds: at most `maxNames` query names, header names and content types each; what is left out
 * is counted in `dropped` (shown in the report).
 */
import { queryValueType } from './classify.js';
import { Quantiles } from './sketch.js';
import { foldShape, Shape, toSchema } from './schema.js';
import { scanJson } from './json-shape.js';
import type { BodyInput, EndpointReport, InventoryExchange, InventoryLimits } from './types.js';
import { authSchemes } from './auth.js';
import { PathValues } from './path-values.js';
import { isRedactionMarker } from '../policy/fingerprint.js';

/** Adds `n` to map[key]. */
function bump(map: Map<string, number>, key: string, n = 1): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

function sortedRecord<V>(map: Map<string, V>, value: (v: V) => unknown = (v) => v): Record<string, any> {
  const out: Record<string, unknown> = {};
  for (const k of [...map.keys()].sort()) out[k] = value(map.get(k)!);
  return out;
}

/** The media type of a Content-Type value, lower-cased, without parameters; null when absent or redacted. */
function mediaType(headers: Array<[string, string]>): string | null {
  for (const [n, v] of headers) {
    if (n.toLowerCase() !== 'content-type') continue;
    const t = v.split(';')[0].trim();
    return isRedactionMarker(t) ? null : t.toLowerCase() || null;
  }
  return null;
}

function isJsonType(t: string | null): boolean {
  return t !== null && (t === 'application/json' || t.endsWith('+json'));
}

export class EndpointStats {
  count = 0;
  noResponse = 0;
  firstMs = Infinity;
  lastMs = -Infinity;
  readonly status = new Map<string, number>();
  readonly latency = new Quantiles();
  readonly requestBytes = new Quantiles();
  readonly responseBytes = new Quantiles();
  readonly requestTypes = new Map<string, number>();
  readonly responseTypes = new Map<string, number>();
  readonly query = new Map<string, Set<string>>();
  readonly headers = new Set<string>();
  readonly auth = new Set<string>();
  readonly dropped = new Map<string, number>();
  requestSchema: Shape | null = null;
  readonly responseSchemas = new Map<string, Shape>();
  /** Kinds and examples per path position (filled by the trie, which knows the segments). */
  readonly pathValues: PathValues;

  constructor(private readonly limits: InventoryLimits) {
    this.pathValues = new PathValues(limits.maxExamples);
  }

  /** Adds a name to a bounded set/map; counts `what` in dropped when the set is full. */
  private admit(size: number, has: boolean, what: string): boolean {
    if (has || size < this.limits.maxNamesPerEndpoint) return true;
    bump(this.dropped, what);
    return false;
  }

  private addType(map: Map<string, number>, t: string | null, what: string): void {
    if (t !== null && this.admit(map.size, map.has(t), what)) bump(map, t);
  }

  private readonly cut = (): void => bump(this.dropped, 'schema_cuts');

  /** Folds a JSON body into the shape made by `shape()`; not JSON, cut, too large, unparsable: nothing (the last three counted). */
  private foldBody(type: string | null, body: BodyInput, shape: () => Shape): void {
    if (!isJsonType(type) || body.bytes === null || body.bytes.length === 0) return;
    if (body.truncated) { bump(this.dropped, 'bodies_truncated'); return; }
    if (body.bytes.length > this.limits.maxSchemaBodyBytes) { bump(this.dropped, 'bodies_too_large'); return; }
    const s = scanJson(body.bytes, this.cut);
    if (s === null) bump(this.dropped, 'bodies_not_json'); else foldShape(shape(), s, this.cut);
  }

  add(ex: InventoryExchange): void {
    this.count++;
    this.firstMs = Math.min(this.firstMs, ex.startMs);
    this.lastMs = Math.max(this.lastMs, ex.startMs);
    for (const [name, value] of ex.requestHeaders) {
      const n = name.toLowerCase();
      if (this.admit(this.headers.size, this.headers.has(n), 'header_names')) this.headers.add(n);
      for (const a of authSchemes(n, value)) this.auth.add(a);
    }
    if (ex.query !== '') {
      for (const part of ex.query.split('&')) {
        if (part === '') continue;
        const eq = part.indexOf('=');
        const name = eq < 0 ? part : part.slice(0, eq);
        const types = this.query.get(name);
        if (!this.admit(this.query.size, types !== undefined, 'query_names')) continue;
        const t = eq < 0 ? 'flag' : queryValueType(part.slice(eq + 1));
        if (types === undefined) this.query.set(name, new Set([t])); else types.add(t);
        for (const a of authSchemes(`?${name}`, '')) this.auth.add(a);
      }
    }
    const reqType = mediaType(ex.requestHeaders);
    this.addType(this.requestTypes, reqType, 'request_content_types');
    this.requestBytes.add(ex.requestBody.length);
    this.foldBody(reqType, ex.requestBody, () => (this.requestSchema ??= new Shape()));
    const r = ex.response;
    if (r === null) { this.noResponse++; return; }
    const code = String(r.status);
    bump(this.status, code);
    this.latency.add(ex.endMs - ex.startMs);
    this.responseBytes.add(r.body.length);
    const resType = mediaType(r.headers);
    this.addType(this.responseTypes, resType, 'response_content_types');
    this.foldBody(resType, r.body, () => {
      let s = this.responseSchemas.get(code);
      if (s === undefined) { s = new Shape(); this.responseSchemas.set(code, s); }
      return s;
    });
  }

  /** Folds `o` into this endpoint (bounded sets keep their bound; what does not fit is counted). */
  merge(o: EndpointStats): void {
    this.count += o.count;
    this.noResponse += o.noResponse;
    this.firstMs = Math.min(this.firstMs, o.firstMs);
    this.lastMs = Math.max(this.lastMs, o.lastMs);
    for (const [k, n] of o.status) bump(this.status, k, n);
    this.latency.merge(o.latency);
    this.requestBytes.merge(o.requestBytes);
    this.responseBytes.merge(o.responseBytes);
    for (const [k, n] of o.requestTypes) if (this.admit(this.requestTypes.size, this.requestTypes.has(k), 'request_content_types')) bump(this.requestTypes, k, n);
    for (const [k, n] of o.responseTypes) if (this.admit(this.responseTypes.size, this.responseTypes.has(k), 'response_content_types')) bump(this.responseTypes, k, n);
    for (const [k, types] of o.query) {
      const mine = this.query.get(k);
      if (!this.admit(this.query.size, mine !== undefined, 'query_names')) continue;
      if (mine === undefined) this.query.set(k, new Set(types)); else for (const t of types) mine.add(t);
    }
    for (const h of o.headers) if (this.admit(this.headers.size, this.headers.has(h), 'header_names')) this.headers.add(h);
    for (const a of o.auth) this.auth.add(a);
    for (const [k, n] of o.dropped) bump(this.dropped, k, n);
    this.pathValues.merge(o.pathValues);
    if (o.requestSchema !== null) foldShape(this.requestSchema ??= new Shape(), o.requestSchema, this.cut);
    for (const [k, s] of o.responseSchemas) {
      const mine = this.responseSchemas.get(k);
      if (mine === undefined) this.responseSchemas.set(k, s); else foldShape(mine, s, this.cut);
    }
  }

  /** The report fields of this endpoint (without host, method, path and path parameters). */
  report(): Omit<EndpointReport, 'host' | 'method' | 'path' | 'path_parameters'> {
    return {
      count: this.count,
      status: sortedRecord(this.status),
      no_response: this.noResponse,
      latency_ms: this.latency.percentiles(3),
      request_body_bytes: this.requestBytes.percentiles(0),
      response_body_bytes: this.responseBytes.percentiles(0),
      request_content_types: sortedRecord(this.requestTypes),
      response_content_types: sortedRecord(this.responseTypes),
      query_parameters: sortedRecord(this.query, (s: Set<string>) => [...s].sort()),
      request_headers: [...this.headers].sort(),
      auth: [...this.auth].sort(),
      first_seen: new Date(this.firstMs).toISOString(),
      last_seen: new Date(this.lastMs).toISOString(),
      request_schema: this.requestSchema === null ? null : toSchema(this.requestSchema),
      response_schemas: sortedRecord(this.responseSchemas, toSchema),
      dropped: sortedRecord(this.dropped),
    };
  }
}
