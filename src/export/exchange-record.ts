/**
 * The JSON Lines record of one exchange: the output contract other tools read (docs/output.md).
 * Field names and meanings are fixed; new fields may be added, never renamed.
 *
 * Two encodings of the same record: toExchangeRecord() (an object, for callers that want one) and
 * writeExchange() (the bytes of JSON.stringify(toExchangeRecord(ex)) + '\n', written straight into a
 * JsonLineWriter's buffer without the object, without the line as a string and without the bodies' base64
 * as strings: the export hot path; exchangeLine() returns them as a Buffer). The two must stay
 * byte-identical; test/export/exchange-line.test.ts checks it.
 */
import type { GrpcInfo, HttpExchange, MessageBody, HeaderList } from '../http/types.js';
import type { ConnectionInfo } from '../reassembly/types.js';
import { nsDecimal } from './exchange-view.js';
import { JsonLineWriter } from './json-line-writer.js';

export interface BodyRecord {
  length: number;
  truncated: boolean;
  base64: string;
  encoding: string | null;
}

export interface ExchangeRecord {
  request: {
    method: string;
    target: string;
    path: string;
    host: string | null;
    version: string;
    headers: HeaderList;
    body: BodyRecord;
    /** HTTP/2 only: the `:scheme` pseudo-header field. */
    scheme?: string;
  };
  response: null | {
    status: number;
    reason: string;
    version: string;
    headers: HeaderList;
    body: BodyRecord;
    informational: number[];
  };
  client: { ip: string; port: number };
  server: { ip: string; port: number };
  /** Nanoseconds since the epoch as decimal strings (beyond 2^53, so not JSON numbers). */
  start_ns: string;
  end_ns: string;
  /** Order of the request on its connection, from 1. */
  depth: number;
  connection_id: number;
  flags: string[];
  /** HTTP/2 only: the stream of the exchange. */
  stream_id?: number;
  /** HTTP/2 gRPC only. */
  grpc?: { status: number | null; message: string | null; request_messages: number; response_messages: number };
}

function bodyRecord(b: MessageBody): BodyRecord {
  return {
    length: b.length,
    truncated: b.truncated,
    base64: b.bytes ? b.bytes.toString('base64') : '',
    encoding: b.encoding,
  };
}

/** Maps an exchange to its record; client/server follow the exchange's roles (swapped when content said so). */
export function toExchangeRecord(ex: HttpExchange): ExchangeRecord {
  const c = ex.conn;
  const client = ex.rolesSwapped ? { ip: c.serverIp, port: c.serverPort } : { ip: c.clientIp, port: c.clientPort };
  const server = ex.rolesSwapped ? { ip: c.clientIp, port: c.clientPort } : { ip: c.serverIp, port: c.serverPort };
  const rq = ex.request;
  const rs = ex.response;
  return {
    request: {
      method: rq.method,
      target: rq.target,
      path: rq.path,
      host: rq.host,
      version: rq.version,
      headers: rq.headers,
      body: bodyRecord(rq.body),
      ...(rq.scheme !== undefined ? { scheme: rq.scheme } : {}),
    },
    response: rs === null ? null : {
      status: rs.status,
      reason: rs.reason,
      version: rs.version,
      headers: rs.headers,
      body: bodyRecord(rs.body),
      informational: rs.informational,
    },
    client,
    server,
    start_ns: nsDecimal(ex.startSec, ex.startNsec),
    end_ns: nsDecimal(ex.endSec, ex.endNsec),
    depth: ex.depth,
    connection_id: c.id,
    flags: ex.flags,
    ...(ex.streamId !== undefined ? { stream_id: ex.streamId } : {}),
    ...(ex.grpc !== undefined ? { grpc: grpcRecord(ex.grpc) } : {}),
  };
}

function grpcRecord(g: GrpcInfo): NonNullable<ExchangeRecord['grpc']> {
  return { status: g.status, message: g.message, request_messages: g.requestMessages, response_messages: g.responseMessages };
}

/** `"body":{"length":..,"truncated":..,"base64":"...","encoding":..}` (lengths are integers). */
function writeBody(w: JsonLineWriter, b: MessageBody): void {
  w.raw('"body":{"length":');
  w.num(b.length);
  w.raw(b.truncated ? ',"truncated":true,"base64":"' : ',"truncated":false,"base64":"');
  if (b.bytes !== null) w.base64(b.bytes);
  w.raw('","encoding":');
  w.strOrNull(b.encoding);
  w.raw('}');
}

/** `[["name","value"],...]` */
function writeHeaders(w: JsonLineWriter, headers: HeaderList): void {
  if (headers.length === 0) {
    w.raw('[]');
    return;
  }
  w.raw('[');
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    w.pair(i === 0, h[0], h[1]);
  }
  w.raw(']');
}

/** `,"version":..,"headers":[..],"body":{..}`: the part a request and a response share. */
function writeVersionHeadersBody(w: JsonLineWriter, version: string, headers: HeaderList, body: MessageBody): void {
  w.raw(',"version":');
  w.str(version);
  w.raw(',"headers":');
  writeHeaders(w, headers);
  w.raw(',');
  writeBody(w, body);
}

/** A short array of numbers or plain tokens (flags, informational codes): `[]` without a call. */
function writeSmallArray(w: JsonLineWriter, a: readonly (string | number)[]): void {
  if (a.length === 0) w.raw('[]');
  else w.raw(JSON.stringify(a)); // ASCII: flags are fixed tokens, codes are numbers
}

/** `{"ip":..,"port":..}` */
function endpoint(ip: string, port: number): string {
  return `{"ip":${JSON.stringify(ip)},"port":${port}}`;
}

/**
 * `"client":{..},"server":{..}` of a connection, cached per connection and role order (the same text for
 * every exchange on it). Weak keys: an entry goes with its connection. Addresses are ASCII text, so the
 * text is written with raw().
 */
const endpointsText = new WeakMap<ConnectionInfo, [string | undefined, string | undefined]>();

function clientServer(c: ConnectionInfo, swapped: boolean): string {
  let cached = endpointsText.get(c);
  if (cached === undefined) {
    cached = [undefined, undefined];
    endpointsText.set(c, cached);
  }
  const k = swapped ? 1 : 0;
  let text = cached[k];
  if (text === undefined) {
    const client = swapped ? endpoint(c.serverIp, c.serverPort) : endpoint(c.clientIp, c.clientPort);
    const server = swapped ? endpoint(c.clientIp, c.clientPort) : endpoint(c.serverIp, c.serverPort);
    text = `"client":${client},"server":${server}`;
    cached[k] = text;
  }
  return text;
}

/**
 * Writes the record line of `ex` (JSON text and '\n') into `w`: the bytes of
 * JSON.stringify(toExchangeRecord(ex)) + '\n' in UTF-8, without building the record or the line as a string.
 * Bodies go in as base64, which is ASCII and needs no JSON escaping.
 */
export function writeExchange(w: JsonLineWriter, ex: HttpExchange): void {
  const c = ex.conn;
  const rq = ex.request;
  const rs = ex.response;
  w.raw('{"request":{"method":');
  w.str(rq.method);
  w.raw(',"target":');
  w.str(rq.target);
  w.raw(',"path":');
  w.str(rq.path);
  w.raw(',"host":');
  w.strOrNull(rq.host);
  writeVersionHeadersBody(w, rq.version, rq.headers, rq.body);
  if (rq.scheme !== undefined) {
    w.raw(',"scheme":');
    w.str(rq.scheme);
  }
  if (rs === null) {
    w.raw('},"response":null,');
  } else {
    w.raw('},"response":{"status":');
    w.num(rs.status);
    w.raw(',"reason":');
    w.str(rs.reason);
    writeVersionHeadersBody(w, rs.version, rs.headers, rs.body);
    w.raw(',"informational":');
    writeSmallArray(w, rs.informational);
    w.raw('},');
  }
  w.raw(clientServer(c, ex.rolesSwapped));
  w.raw(',"start_ns":"');
  w.raw(nsDecimal(ex.startSec, ex.startNsec));
  w.raw('","end_ns":"');
  w.raw(nsDecimal(ex.endSec, ex.endNsec));
  w.raw('","depth":');
  w.num(ex.depth);
  w.raw(',"connection_id":');
  w.num(c.id);
  w.raw(',"flags":');
  writeSmallArray(w, ex.flags);
  if (ex.streamId !== undefined) {
    w.raw(',"stream_id":');
    w.num(ex.streamId);
  }
  const g = ex.grpc;
  if (g !== undefined) {
    w.raw(g.status === null ? ',"grpc":{"status":null' : `,"grpc":{"status":${g.status}`);
    w.raw(',"message":');
    w.strOrNull(g.message);
    w.raw(`,"request_messages":${g.requestMessages},"response_messages":${g.responseMessages}}`);
  }
  w.raw('}\n');
}

/** Grow-mode writer for exchangeLine(), made on first use (it loads the addon). */
let lineWriter: JsonLineWriter | null = null;
/** Above this the one-line writer's slab is given back after the line (a line with large bodies). */
const LINE_WRITER_KEEP_BYTES = 1024 * 1024;

/**
 * The record line of `ex` as UTF-8 bytes in one new Buffer owned by the caller (for streams and tests;
 * the --out file writes through its own JsonLineWriter). Byte-identical to
 * Buffer.from(JSON.stringify(toExchangeRecord(ex)) + '\n').
 */
export function exchangeLine(ex: HttpExchange): Buffer {
  const w = lineWriter ??= new JsonLineWriter(null, 64 * 1024);
  w.pos = 0;
  writeExchange(w, ex);
  return w.takeCopy(LINE_WRITER_KEEP_BYTES);
}
