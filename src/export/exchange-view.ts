/**
 * Small derived facts about an exchange shared by the OTLP and satellite-JSON encoders.
 * Called at batch-encoding time (off the per-packet path).
 */
import type { HttpExchange, HeaderList } from '../http/types.js';

export interface Endpoints {
  clientIp: string;
  clientPort: number;
  serverIp: string;
  serverPort: number;
}

/** Client and server of the exchange, following its roles (swapped when the content said so). */
export function endpointsOf(ex: HttpExchange): Endpoints {
  const c = ex.conn;
  return ex.rolesSwapped
    ? { clientIp: c.serverIp, clientPort: c.serverPort, serverIp: c.clientIp, serverPort: c.clientPort }
    : { clientIp: c.clientIp, clientPort: c.clientPort, serverIp: c.serverIp, serverPort: c.serverPort };
}

/** The query of a request-target without its '?', or null when there is none. Fragment excluded. */
export function queryOf(target: string): string | null {
  const q = target.indexOf('?');
  if (q < 0) return null;
  const h = target.indexOf('#', q);
  return target.slice(q + 1, h < 0 ? undefined : h);
}

const HOST_RE = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/;

/** Splits a Host header into name and explicit port; IPv6 brackets removed. Null for an unusable value. */
export function parseHost(host: string): { name: string; port: number | null } | null {
  const m = HOST_RE.exec(host.trim());
  if (m === null || m[1] === '') return null;
  let name = m[1]!;
  if (name.startsWith('[')) name = name.slice(1, -1);
  const port = m[2] === undefined ? null : Number(m[2]);
  return { name, port: port !== null && port <= 65535 ? port : null };
}

/** Groups a header list by lower-case name, values in order (for multi-valued attributes). */
export function groupHeaders(headers: HeaderList): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    const list = out.get(key);
    if (list === undefined) out.set(key, [value]);
    else list.push(value);
  }
  return out;
}

const NINE_ZEROS = '000000000';

/**
 * `sec` seconds + `nsec` nanoseconds (0 <= nsec < 1e9, sec >= 0 integers) as the decimal text of the
 * nanoseconds since the epoch: exact beyond 2^53, without BigInt arithmetic (this runs per exchange).
 */
export function nsDecimal(sec: number, nsec: number): string {
  const n = String(nsec);
  if (sec === 0) return n;
  if (sec !== lastSec) {
    lastSec = sec; // consecutive timestamps share their second: its text is made once
    lastSecText = String(sec);
  }
  return lastSecText + NINE_ZEROS.slice(n.length) + n;
}
let lastSec = -1;
let lastSecText = '';


/**
 * End minus start in ns, never negative, as decimal text. Plain numbers: exact while the duration is
 * below 2^53 ns (104 days); an exchange never lasts that long.
 */
export function durationNsText(ex: HttpExchange): string {
  const d = (ex.endSec - ex.startSec) * 1e9 + (ex.endNsec - ex.startNsec);
  return d > 0 ? String(d) : '0';
}
