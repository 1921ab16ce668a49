/**
 * The two sources of InventoryExchange: an exchange of the live pipeline (after policy and redaction), and
 * one line of apidump's JSON Lines (docs/output.md). Both give the same InventoryExchange for the same
 * exchange, so `--exchanges FILE` and `--pcap FILE` give the same inventory.
 */
import type { HttpExchange } from '../http/types.js';
import type { BodyInput, InventoryExchange } from './types.js';

/** The query string of a request-target ('' when none). */
function queryOf(target: string): string {
  const q = target.indexOf('?');
  if (q < 0) return '';
  const hash = target.indexOf('#', q);
  return target.slice(q + 1, hash < 0 ? undefined : hash);
}

/** The endpoint's host: the Host header lower-cased, else the server's address. */
export function hostOf(host: string | null, serverIp: string, serverPort: number): string {
  if (host !== null && host.trim() !== '') return host.trim().toLowerCase();
  return serverIp.includes(':') ? `[${serverIp}]:${serverPort}` : `${serverIp}:${serverPort}`;
}

export function fromHttpExchange(ex: HttpExchange): InventoryExchange {
  const c = ex.conn;
  const server = ex.rolesSwapped ? { ip: c.clientIp, port: c.clientPort } : { ip: c.serverIp, port: c.serverPort };
  const rq = ex.request;
  const rs = ex.response;
  return {
    method: rq.method,
    host: hostOf(rq.host, server.ip, server.port),
    path: rq.path,
    query: queryOf(rq.target),
    requestHeaders: rq.headers,
    requestBody: rq.body,
    response: rs === null ? null : { status: rs.status, headers: rs.headers, body: rs.body },
    startMs: ex.startSec * 1000 + ex.startNsec / 1e6,
    endMs: ex.endSec * 1000 + ex.endNsec / 1e6,
  };
}

/** Nanoseconds since the epoch as a decimal string -> milliseconds, the same double as fromHttpExchange. */
export function msOf(ns: unknown): number {
  const s = String(ns);
  if (!/^\d+$/.test(s)) throw new Error(`expected a decimal timestamp, got ${JSON.stringify(ns)}`);
  const sec = s.length > 9 ? Number(s.slice(0, -9)) : 0;
  const nsec = Number(s.slice(-9));
  return sec * 1000 + nsec / 1e6;
}

function bodyOf(b: any): BodyInput {
  if (b === null || typeof b !== 'object') return { length: 0, bytes: null, truncated: false };
  const base64 = typeof b.base64 === 'string' ? b.base64 : '';
  return { length: Number(b.length) || 0, bytes: base64 === '' ? null : Buffer.from(base64, 'base64'), truncated: b.truncated === true };
}

/** One record of apidump's output; throws Error naming what is missing when it is not one. */
export function fromRecord(r: any): InventoryExchange {
  const rq = r?.request;
  if (rq === undefined || typeof rq.method !== 'string' || typeof rq.path !== 'string' || typeof rq.target !== 'string') {
    throw new Error('not an exchange record (request.method, request.target and request.path are required)');
  }
  const rs = r.response;
  return {
    method: rq.method,
    host: hostOf(typeof rq.host === 'string' ? rq.host : null, String(r.server?.ip ?? ''), Number(r.server?.port ?? 0)),
    path: rq.path,
    query: queryOf(rq.target),
    requestHeaders: Array.isArray(rq.headers) ? rq.headers : [],
    requestBody: bodyOf(rq.body),
    response: rs === null || rs === undefined ? null : { status: Number(rs.status), headers: Array.isArray(rs.headers) ? rs.headers : [], body: bodyOf(rs.body) },
    startMs: msOf(r.start_ns),
    endMs: msOf(r.end_ns),
  };
}
