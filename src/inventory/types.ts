/**
 * Contracts of the endpoint inventory: the exchange it reads (from the live pipeline or from apidump's JSON
 * Lines, src/inventory/exchange-input.ts) and the report it produces (the `json` format: docs/inventory.md).
 * Report field names `host`, `method`, `path`, `count`, `status`, `latency_ms.{p50,p95,p99}` are a contract;
 * fields may be added beside them, never renamed.
 */

/** One request/response as the inventory sees it. Header values are read for the auth scheme only. */
export interface InventoryExchange {
  method: string;
  /** Host header (port included), or the server address `ip:port` when there is none; lower-cased. */
  host: string;
  /** Path without the query. */
  path: string;
  /** The query string after '?', '' when none. */
  query: string;
  requestHeaders: Array<[string, string]>;
  requestBody: BodyInput;
  response: null | { status: number; headers: Array<[string, string]>; body: BodyInput };
  /** Packet time of the request's first byte and of the response's last byte, ms since the epoch. */
  startMs: number;
  endMs: number;
}

export interface BodyInput {
  /** Decoded entity size in bytes. */
  length: number;
  /** Captured decoded bytes (null when none were kept). */
  bytes: Buffer | null;
  truncated: boolean;
}

export interface Percentiles { p50: number; p95: number; p99: number }

/** A JSON Schema as inferred from bodies (types, properties, items, required, anyOf). */
export type JsonSchema = Record<string, unknown>;

export interface PathParameter {
  name: string;
  /** Position in the path (0 = first segment). */
  position: number;
  /** Kinds of value seen: integer, uuid, hex, base64, date, timestamp, email, string. */
  kinds: string[];
  /** At most `maxExamples` values, the smallest in text order; never for token, e-mail or uuid kinds. */
  examples: string[];
}

export interface EndpointReport {
  host: string;
  method: string;
  path: string;
  count: number;
  status: Record<string, number>;
  no_response: number;
  latency_ms: Percentiles | null;
  request_body_bytes: Percentiles | null;
  response_body_bytes: Percentiles | null;
  request_content_types: Record<string, number>;
  response_content_types: Record<string, number>;
  path_parameters: PathParameter[];
  /** Query parameter name -> types of the values seen (values are never kept). */
  query_parameters: Record<string, string[]>;
  /** Lower-cased request header names (never values). */
  request_headers: string[];
  /** Bearer, Basic, Digest, ... (Authorization scheme), `header:<name>` (API-key header), `query:<name>`. */
  auth: string[];
  first_seen: string;
  last_seen: string;
  request_schema: JsonSchema | null;
  /** Status code -> schema of its JSON bodies. */
  response_schemas: Record<string, JsonSchema>;
  /** What the per-endpoint caps left out (names, content types, bodies not parsed). */
  dropped: Record<string, number>;
}

export interface InventoryReport {
  endpoints: EndpointReport[];
  /** Exchanges read, and what the inventory-wide caps and checks dropped (docs/inventory.md). */
  totals: Record<string, number>;
  limits: InventoryLimits;
}

/** The caps (docs/inventory.md, "Bounds"). */
export interface InventoryLimits {
  /** Endpoints kept; an exchange of a new endpoint past it is counted in totals.dropped_endpoint_cap. */
  maxEndpoints: number;
  /** Path-trie nodes kept (default 10 x maxEndpoints); past it new paths are dropped, counted in totals.dropped_node_cap. */
  maxNodes: number;
  /** Distinct literals one position may hold before it becomes a parameter. */
  paramThreshold: number;
  /** Examples kept per path parameter. */
  maxExamples: number;
  /** Query parameter names, header names and content types kept per endpoint (each). */
  maxNamesPerEndpoint: number;
  /** Bodies larger than this (bytes) are not parsed for the schema. */
  maxSchemaBodyBytes: number;
}

export const DEFAULT_LIMITS: InventoryLimits = {
  maxEndpoints: 2000,
  maxNodes: 20_000,
  paramThreshold: 24,
  maxExamples: 3,
  maxNamesPerEndpoint: 64,
  maxSchemaBodyBytes: 1024 * 1024,
};
