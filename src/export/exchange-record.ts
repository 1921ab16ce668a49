/**
 * The JSON Lines record of one exchange: the output contract other tools read (docs/output.md).
 * Field names and meanings are fixed; new fields may be added, never renamed.
 */
import type { HttpExchange, MessageBody, HeaderList } from '../http/types.js';

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

const NS_PER_SEC = 1_000_000_000n;

/** Seconds + nanoseconds to a decimal string of nanoseconds since the epoch. */
export function nsString(sec: number, nsec: number): string {
  return (BigInt(sec) * NS_PER_SEC + BigInt(nsec)).toString();
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
    start_ns: nsString(ex.startSec, ex.startNsec),
    end_ns: nsString(ex.endSec, ex.endNsec),
    depth: ex.depth,
    connection_id: c.id,
    flags: ex.flags,
  };
}
