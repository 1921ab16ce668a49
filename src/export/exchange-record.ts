/**
 * The JSON Lines record of one exchange: the output contract other tools read (docs/output.md).
 * Field names and meanings are fixed; new fields may be added, never renamed.
 *
 * Two encodings of the same record: toExchangeRecord() (an object, for callers that want one) and
 * exchangeLine() (the bytes of JSON.stringify(toExchangeRecord(ex)) + '\n', built without the object
 * and without passing the bodies' base64 text through JSON.stringify and a UTF-8 re-encode: the
 * export hot path). The two must stay byte-identical; test/export/exchange-line.test.ts checks it.
 */
import type { HttpExchange, MessageBody, HeaderList } from '../http/types.js';
import type { ConnectionInfo } from '../reassembly/types.js';
import { nsDecimal } from './exchange-view.js';
import { jsonHeaderList, jsonString, jsonStringOrNull } from './json-text.js';

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
  };
}

const str = JSON.stringify;

/**
 * Lines whose bodies' base64 totals at most this many characters are built as one string and encoded
 * once; larger ones as pieces around the base64, so a large body is copied into the line once, not
 * through a string concatenation first.
 */
const ONE_STRING_MAX_BASE64 = 16 * 1024;

/** `"body":{"length":..,"truncated":..,"base64":"` : the text before a body's base64 (lengths are integers). */
function bodyOpen(b: MessageBody): string {
  return `"body":{"length":${b.length},"truncated":${b.truncated},"base64":"`;
}

/** `","encoding":..}` : the text after a body's base64. */
function bodyClose(b: MessageBody): string {
  return `","encoding":${jsonStringOrNull(b.encoding)}}`;
}

/** `{"ip":..,"port":..}` */
function endpoint(ip: string, port: number): string {
  return `{"ip":${jsonString(ip)},"port":${port}}`;
}

/**
 * `"client":{..},"server":{..}` of a connection, cached per connection and role order (the same text for
 * every exchange on it). Weak keys: an entry goes with its connection.
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

/** JSON of a short array of numbers or plain tokens (flags, informational codes): `[]` without a call. */
function smallArray(a: readonly (string | number)[]): string {
  return a.length === 0 ? '[]' : str(a);
}

/**
 * The record line of `ex` (JSON text and '\n') as UTF-8 bytes in one new Buffer owned by the caller.
 * Byte-identical to Buffer.from(JSON.stringify(toExchangeRecord(ex)) + '\n') (json-text.ts gives the
 * same text as JSON.stringify). Base64 is ASCII and needs no JSON escaping, so it is copied as it is.
 */
export function exchangeLine(ex: HttpExchange): Buffer {
  const c = ex.conn;
  const rq = ex.request;
  const rs = ex.response;
  const reqB64 = rq.body.bytes ? rq.body.bytes.toString('base64') : '';
  const resB64 = rs !== null && rs.body.bytes ? rs.body.bytes.toString('base64') : '';
  const head = `{"request":{"method":${jsonString(rq.method)},"target":${jsonString(rq.target)},` +
    `"path":${jsonString(rq.path)},"host":${jsonStringOrNull(rq.host)},"version":${jsonString(rq.version)},` +
    `"headers":${jsonHeaderList(rq.headers)},${bodyOpen(rq.body)}`;
  let mid = `${bodyClose(rq.body)}},"response":`;
  if (rs !== null) {
    mid += `{"status":${rs.status},"reason":${jsonString(rs.reason)},"version":${jsonString(rs.version)},` +
      `"headers":${jsonHeaderList(rs.headers)},${bodyOpen(rs.body)}`;
  }
  const tail = (rs !== null ? `${bodyClose(rs.body)},"informational":${smallArray(rs.informational)}}` : 'null') +
    `,${clientServer(c, ex.rolesSwapped)},"start_ns":"${nsDecimal(ex.startSec, ex.startNsec)}",` +
    `"end_ns":"${nsDecimal(ex.endSec, ex.endNsec)}","depth":${ex.depth},"connection_id":${c.id},` +
    `"flags":${smallArray(ex.flags)}}\n`;
  if (reqB64.length + resB64.length <= ONE_STRING_MAX_BASE64) return Buffer.from(head + reqB64 + mid + resB64 + tail, 'utf8');
  const headLen = Buffer.byteLength(head, 'utf8');
  const midLen = Buffer.byteLength(mid, 'utf8');
  const out = Buffer.allocUnsafe(headLen + reqB64.length + midLen + resB64.length + Buffer.byteLength(tail, 'utf8'));
  let o = out.write(head, 0, 'utf8');
  o += out.write(reqB64, o, 'latin1');
  o += out.write(mid, o, 'utf8');
  o += out.write(resB64, o, 'latin1');
  out.write(tail, o, 'utf8');
  return out;
}
