/**
 * The inventory as an OpenAPI 3.1 document: servers from the hosts, one operation per endpoint (path
 * template and method), typed path and query parameters, a request body and a response per status code,
 * with the JSON Schemas inferred from the bodies seen. Traffic seen in clear text: server URLs are http://.
 *
 * One path and method seen under several hosts is one operation (OpenAPI keys operations by path and
 * method): its figures and schemas are those of the host with the most calls, and its `servers` list every
 * such host. Extensions: `x-calls`, `x-status`, `x-latency-ms`, `x-auth` on each operation.
 */
import type { EndpointReport, InventoryReport, JsonSchema, PathParameter } from './types.js';

const PARAM_FORMATS: Record<string, string> = { uuid: 'uuid', date: 'date', timestamp: 'date-time', email: 'email' };
/** Methods OpenAPI has operations for; others go in as `x-method-<name>` extensions of the path item. */
const OAS_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const QUERY_TYPES = new Set(['integer', 'number', 'boolean']);

function serverUrl(host: string): string {
  return `http://${host}`;
}

/** The schema of a path parameter from the kinds of value seen. */
function pathParamSchema(p: PathParameter): JsonSchema {
  if (p.kinds.length === 1 && p.kinds[0] === 'integer') return { type: 'integer' };
  const format = p.kinds.length === 1 ? PARAM_FORMATS[p.kinds[0]] : undefined;
  return format === undefined ? { type: 'string' } : { type: 'string', format };
}

function example(p: PathParameter, schema: JsonSchema): Record<string, unknown> {
  if (p.examples.length === 0) return {};
  return { example: schema.type === 'integer' ? Number(p.examples[0]) : p.examples[0] };
}

/** The schema of a query parameter: one JSON type when every value had it, else string. */
function querySchema(types: string[]): JsonSchema {
  const real = types.filter((t) => t !== 'empty' && t !== 'flag');
  if (real.length === 1 && QUERY_TYPES.has(real[0])) return { type: real[0] };
  if (real.length === 2 && real.includes('integer') && real.includes('number')) return { type: 'number' };
  const format = real.length === 1 ? PARAM_FORMATS[real[0]] : undefined;
  return format === undefined ? { type: 'string' } : { type: 'string', format };
}

function isJson(t: string): boolean {
  return t === 'application/json' || t.endsWith('+json');
}

/** `GET /users/{userId}` -> `getUsersByUserId`, made unique by the caller. */
function operationId(method: string, path: string): string {
  const words = path.split('/').filter((s) => s !== '').map((s) => {
    const w = s.startsWith('{') ? `By-${s.slice(1, -1)}` : s;
    return w.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase()).replace(/^./, (c) => c.toUpperCase());
  });
  return method.toLowerCase().replace(/[^a-z0-9]/g, '') + (words.join('') || 'Root');
}

function operation(e: EndpointReport, servers: string[], usedIds: Set<string>): Record<string, unknown> {
  let id = operationId(e.method, e.path);
  for (let n = 2; usedIds.has(id); n++) id = `${operationId(e.method, e.path)}${n}`;
  usedIds.add(id);
  const parameters: Record<string, unknown>[] = e.path_parameters.map((p) => {
    const schema = pathParamSchema(p);
    return { name: p.name, in: 'path', required: true, schema, ...example(p, schema) };
  });
  for (const [name, types] of Object.entries(e.query_parameters)) parameters.push({ name, in: 'query', required: false, schema: querySchema(types) });
  const op: Record<string, unknown> = {
    operationId: id,
    summary: `${e.method} ${e.path}: ${e.count} call${e.count === 1 ? '' : 's'} seen`,
  };
  if (servers.length > 0) op.servers = servers.map((h) => ({ url: serverUrl(h) }));
  if (parameters.length > 0) op.parameters = parameters;
  const reqTypes = Object.keys(e.request_content_types);
  if (reqTypes.length > 0) {
    const content: Record<string, unknown> = {};
    for (const t of reqTypes) content[t] = { schema: isJson(t) && e.request_schema !== null ? e.request_schema : {} };
    op.requestBody = { content };
  }
  const jsonType = Object.keys(e.response_content_types).find(isJson) ?? 'application/json';
  const responses: Record<string, unknown> = {};
  // response keys are HTTP status codes (100-599); anything else a server sent stays in x-status only
  for (const code of Object.keys(e.status).filter((c) => /^[1-5]\d\d$/.test(c))) {
    const schema = e.response_schemas[code];
    responses[code] = schema === undefined
      ? { description: `status ${code} seen ${e.status[code]} times` }
      : { description: `status ${code} seen ${e.status[code]} times`, content: { [jsonType]: { schema } } };
  }
  if (Object.keys(responses).length === 0) responses.default = { description: 'no response seen' };
  op.responses = responses;
  op['x-calls'] = e.count;
  op['x-status'] = e.status;
  if (e.latency_ms !== null) op['x-latency-ms'] = e.latency_ms;
  if (e.auth.length > 0) op['x-auth'] = e.auth;
  return op;
}

export function toOpenApi(report: InventoryReport): Record<string, unknown> {
  const hosts = [...new Set(report.endpoints.map((e) => e.host))].sort();
  // endpoints are sorted by calls: the first one of a path and method is the one with the most calls
  const byOp = new Map<string, { first: EndpointReport; hosts: string[] }>();
  for (const e of report.endpoints) {
    const key = `${e.method} ${e.path}`;
    const seen = byOp.get(key);
    if (seen === undefined) byOp.set(key, { first: e, hosts: [e.host] }); else seen.hosts.push(e.host);
  }
  const paths: Record<string, Record<string, unknown>> = {};
  const usedIds = new Set<string>();
  const keys = [...byOp.keys()].sort((a, b) => {
    const [ma, pa] = [a.slice(0, a.indexOf(' ')), a.slice(a.indexOf(' ') + 1)];
    const [mb, pb] = [b.slice(0, b.indexOf(' ')), b.slice(b.indexOf(' ') + 1)];
    return pa < pb ? -1 : pa > pb ? 1 : ma < mb ? -1 : ma > mb ? 1 : 0;
  });
  for (const key of keys) {
    const { first, hosts: opHosts } = byOp.get(key)!;
    const item = paths[first.path] ??= {};
    const m = first.method.toLowerCase();
    item[OAS_METHODS.has(m) ? m : `x-method-${m.replace(/[^a-z0-9-]/g, '')}`] = operation(first, hosts.length > 1 ? opHosts.sort() : [], usedIds);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'HTTP API inventory',
      version: '1.0.0',
      description: `Inferred by pcap-sensor inventory from ${report.totals.exchanges} exchanges seen on the wire.`,
    },
    servers: hosts.map((h) => ({ url: serverUrl(h) })),
    paths,
  };
}
