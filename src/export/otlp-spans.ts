/**
 * Builds OpenTelemetry spans from finished exchanges.
 *
 * How: a private BasicTracerProvider (never registered globally) whose only span processor collects
 * ended spans into an array. For each exchange the tracer starts a root SERVER span with an explicit
 * start time (the exchange's first packet, as HrTime [sec, nsec]) and ends it with an explicit end
 * time (its last packet). The SDK thus fills in ids, resource, scope and limits as for any span (sampler fixed to always-on),
 * and the resulting ReadableSpans go straight to the OTLP exporter (no BatchSpanProcessor: batching
 * and retrying are ours). Span limits are set explicitly so OTEL_* environment variables cannot
 * silently cut headers or bodies.
 *
 * Attributes (see docs/export.md for the full list): HTTP semantic conventions, plus
 * http.request.header.<name> / http.response.header.<name> (string arrays, lower-case names) and,
 * for what the conventions do not cover, levo.* attributes: bodies (base64), flags, connection id.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Attributes, type Tracer } from '@opentelemetry/api';
import { AlwaysOnSampler, BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  ATTR_CLIENT_ADDRESS, ATTR_CLIENT_PORT, ATTR_DEPLOYMENT_ENVIRONMENT_NAME, ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_NETWORK_LOCAL_ADDRESS, ATTR_NETWORK_LOCAL_PORT, ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT, ATTR_NETWORK_PROTOCOL_NAME, ATTR_NETWORK_PROTOCOL_VERSION, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME, ATTR_URL_PATH, ATTR_URL_QUERY, ATTR_URL_SCHEME, ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { HttpExchange, MessageBody } from '../http/types.js';
import { endpointsOf, groupHeaders, parseHost, queryOf } from './exchange-view.js';

// Incubating conventions are copied here rather than imported from the unstable entry point.
export const ATTR_HTTP_REQUEST_BODY_SIZE = 'http.request.body.size';
export const ATTR_HTTP_RESPONSE_BODY_SIZE = 'http.response.body.size';
export const ATTR_HOST_NAME = 'host.name';

/** Attributes of this sensor (not covered by the conventions). */
export const LEVO_ATTR = {
  env: 'levo.env',
  orgId: 'levo.organization_id',
  sensorName: 'levo.sensor.name',
  sensorVersion: 'levo.sensor.version',
  requestBody: 'levo.http.request.body',
  requestBodyTruncated: 'levo.http.request.body.truncated',
  requestBodyEncoding: 'levo.http.request.body.encoding',
  responseBody: 'levo.http.response.body',
  responseBodyTruncated: 'levo.http.response.body.truncated',
  responseBodyEncoding: 'levo.http.response.body.encoding',
  responseInformational: 'levo.http.response.informational',
  flags: 'levo.exchange.flags',
  depth: 'levo.exchange.depth',
  connectionId: 'levo.connection.id',
} as const;

export interface SpanResourceInfo {
  serviceName: string;
  levoEnv: string;
  orgId: string;
  hostName: string;
  sensorName: string;
  sensorVersion: string;
}

/** Collects ended spans; the builder drains it after each batch. */
class CollectingProcessor implements SpanProcessor {
  readonly ended: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void { this.ended.push(span); }
  forceFlush(): Promise<void> { return Promise.resolve(); }
  shutdown(): Promise<void> { return Promise.resolve(); }
}

function addBody(attrs: Attributes, b: MessageBody, body: string, truncated: string, encoding: string): void {
  if (b.bytes !== null && b.bytes.length > 0) attrs[body] = b.bytes.toString('base64');
  if (b.truncated) attrs[truncated] = true;
  if (b.encoding !== null) attrs[encoding] = b.encoding;
}

/** Span attributes of one exchange. */
export function spanAttributes(ex: HttpExchange): Attributes {
  const ep = endpointsOf(ex);
  const rq = ex.request;
  const rs = ex.response;
  const host = rq.host !== null ? parseHost(rq.host) : null;
  const attrs: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: rq.method,
    [ATTR_URL_PATH]: rq.path,
    [ATTR_URL_SCHEME]: 'http',
    [ATTR_SERVER_ADDRESS]: host?.name ?? ep.serverIp,
    [ATTR_SERVER_PORT]: host?.port ?? ep.serverPort,
    [ATTR_CLIENT_ADDRESS]: ep.clientIp,
    [ATTR_CLIENT_PORT]: ep.clientPort,
    [ATTR_NETWORK_PEER_ADDRESS]: ep.clientIp,
    [ATTR_NETWORK_PEER_PORT]: ep.clientPort,
    [ATTR_NETWORK_LOCAL_ADDRESS]: ep.serverIp,
    [ATTR_NETWORK_LOCAL_PORT]: ep.serverPort,
    [ATTR_NETWORK_PROTOCOL_NAME]: 'http',
    [ATTR_NETWORK_PROTOCOL_VERSION]: rq.version,
    [ATTR_HTTP_REQUEST_BODY_SIZE]: rq.body.length,
    [LEVO_ATTR.depth]: ex.depth,
    [LEVO_ATTR.connectionId]: ex.conn.id,
  };
  const query = queryOf(rq.target);
  if (query !== null) attrs[ATTR_URL_QUERY] = query;
  const reqHeaders = groupHeaders(rq.headers);
  const ua = reqHeaders.get('user-agent');
  if (ua !== undefined) attrs[ATTR_USER_AGENT_ORIGINAL] = ua[0];
  for (const [name, values] of reqHeaders) attrs[`http.request.header.${name}`] = values;
  addBody(attrs, rq.body, LEVO_ATTR.requestBody, LEVO_ATTR.requestBodyTruncated, LEVO_ATTR.requestBodyEncoding);
  if (rs !== null) {
    attrs[ATTR_HTTP_RESPONSE_STATUS_CODE] = rs.status;
    attrs[ATTR_HTTP_RESPONSE_BODY_SIZE] = rs.body.length;
    for (const [name, values] of groupHeaders(rs.headers)) attrs[`http.response.header.${name}`] = values;
    addBody(attrs, rs.body, LEVO_ATTR.responseBody, LEVO_ATTR.responseBodyTruncated, LEVO_ATTR.responseBodyEncoding);
    if (rs.informational.length > 0) attrs[LEVO_ATTR.responseInformational] = rs.informational;
    if (rs.status >= 500) attrs[ATTR_ERROR_TYPE] = String(rs.status);
  }
  if (ex.flags.length > 0) attrs[LEVO_ATTR.flags] = ex.flags;
  if (ex.streamId !== undefined) attrs['levo.http2.stream_id'] = ex.streamId;
  if (ex.grpc !== undefined) addRpc(attrs, ex.request.path, ex.grpc.status);
  return attrs;
}

/**
 * RPC semantic conventions of a gRPC exchange: `rpc.system` grpc, `rpc.service` and `rpc.method` from the path
 * `/package.Service/Method` (left out when the path has another shape), `rpc.grpc.status_code` when a status came.
 */
function addRpc(attrs: Attributes, path: string, status: number | null): void {
  attrs['rpc.system'] = 'grpc';
  const slash = path.indexOf('/', 1);
  if (path.charCodeAt(0) === 0x2f && slash > 1 && slash < path.length - 1) {
    attrs['rpc.service'] = path.slice(1, slash);
    attrs['rpc.method'] = path.slice(slash + 1);
  }
  if (status !== null) attrs['rpc.grpc.status_code'] = status;
}

/** Span limits: generous, explicit, and sized so headers and bodies are not silently cut. */
const SPAN_LIMITS = {
  attributeCountLimit: 1024,
  attributeValueLengthLimit: 256 * 1024 * 1024,
  eventCountLimit: 0,
  linkCountLimit: 0,
};

export class SpanBuilder {
  private readonly processor = new CollectingProcessor();
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;

  constructor(info: SpanResourceInfo) {
    const resource = defaultResource().merge(resourceFromAttributes({
      [ATTR_SERVICE_NAME]: info.serviceName,
      [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: info.levoEnv,
      [LEVO_ATTR.env]: info.levoEnv,
      [LEVO_ATTR.orgId]: info.orgId,
      [ATTR_HOST_NAME]: info.hostName,
      [LEVO_ATTR.sensorName]: info.sensorName,
      [LEVO_ATTR.sensorVersion]: info.sensorVersion,
    }));
    this.provider = new BasicTracerProvider({ resource, sampler: new AlwaysOnSampler(), spanLimits: SPAN_LIMITS, spanProcessors: [this.processor] });
    this.tracer = this.provider.getTracer(info.sensorName, info.sensorVersion);
  }

  /** One ended SERVER span per exchange, in batch order. */
  build(batch: readonly HttpExchange[]): ReadableSpan[] {
    for (const ex of batch) {
      const span = this.tracer.startSpan(`${ex.request.method} ${ex.request.path}`, {
        kind: SpanKind.SERVER,
        startTime: [ex.startSec, ex.startNsec],
        attributes: spanAttributes(ex),
      }, ROOT_CONTEXT);
      if (ex.response !== null && ex.response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end([ex.endSec, ex.endNsec]);
    }
    return this.processor.ended.splice(0);
  }
}
