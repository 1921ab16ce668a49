/**
 * An exchange under construction: created when its request head is complete, finished when both
 * messages are done (or the connection ends), then turned into the HttpExchange handed to the sink.
 */
import type { ConnectionInfo } from '../reassembly/types.js';
import type { ExchangeFlag, HeaderList, HttpExchange, HttpRequest, HttpResponse, MessageBody, RequestHead } from './types.js';
import type { BodyCollector } from './body.js';
import { emptyBody } from './body.js';

export class PendingExchange {
  readonly depth: number;
  readonly request: HttpRequest;
  response: HttpResponse | null = null;
  readonly informational: number[] = [];
  readonly flags: ExchangeFlag[] = [];
  /** Refused by the policy: nothing is collected and nothing is emitted. */
  dropped = false;
  /** HTTP/0.9 simple request: the response is the raw bytes until close. */
  readonly simple: boolean;
  requestDone = false;
  responseDone = false;
  requestBody: BodyCollector | null = null;
  responseBody: BodyCollector | null = null;
  startSec: number;
  startNsec: number;
  endSec: number;
  endNsec: number;

  constructor(depth: number, request: HttpRequest, startSec: number, startNsec: number) {
    this.depth = depth;
    this.request = request;
    this.simple = request.version === '0.9';
    this.startSec = startSec;
    this.startNsec = startNsec;
    this.endSec = startSec;
    this.endNsec = startNsec;
  }

  flag(f: ExchangeFlag): void {
    if (!this.flags.includes(f)) this.flags.push(f);
  }

  setEnd(sec: number, nsec: number): void {
    this.endSec = sec;
    this.endNsec = nsec;
  }

  /** Request head bytes this exchange holds in the head budget (HttpContext.heads). */
  headBytes = 0;

  /** Captured bytes this exchange reserves in the body budget. */
  heldBytes(): number {
    return (this.requestBody?.heldBytes ?? 0) + (this.responseBody?.heldBytes ?? 0);
  }

  toExchange(conn: ConnectionInfo, rolesSwapped: boolean): HttpExchange {
    if (this.response !== null) this.response.informational = this.informational;
    return {
      conn,
      depth: this.depth,
      request: this.request,
      response: this.response,
      rolesSwapped,
      startSec: this.startSec,
      startNsec: this.startNsec,
      endSec: this.endSec,
      endNsec: this.endNsec,
      flags: this.flags,
    };
  }
}

/**
 * Flat [name, value, ...] to [name, value] pairs, appended to `out` (returned). The one conversion of a
 * field list for heads (HTTP/1 and HTTP/2) and trailers (HTTP/1 chunked, HTTP/2 header blocks after a head).
 */
export function toHeaderList(flat: string[], out: HeaderList): HeaderList {
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

/** First value of a header (case-insensitive name) in a flat list, or null. */
export function firstHeader(flat: string[], lowerName: string): string | null {
  for (let i = 0; i + 1 < flat.length; i += 2) {
    if (flat[i].length === lowerName.length && flat[i].toLowerCase() === lowerName) return flat[i + 1];
  }
  return null;
}

/**
 * Path of a request-target without query or fragment. Absolute-form (`http://h/p?q`) gives `/p` (or `/`);
 * authority-form (CONNECT `host:443`) and `*` are returned as sent.
 */
export function targetPath(target: string): string {
  let start = 0;
  if (target.charCodeAt(0) !== 0x2f /* / */) {
    const scheme = target.indexOf('://');
    if (scheme < 0) return target;
    const slash = target.indexOf('/', scheme + 3);
    if (slash < 0) return '/';
    start = slash;
  }
  let end = target.length;
  const q = target.indexOf('?', start);
  if (q >= 0) end = q;
  const h = target.indexOf('#', start);
  if (h >= 0 && h < end) end = h;
  if (start === 0 && end === target.length) return target;
  const p = target.slice(start, end);
  return p === '' ? '/' : p;
}

export function newRequest(method: string, target: string, version: string, flat: string[]): HttpRequest {
  return {
    method,
    target,
    path: targetPath(target),
    host: firstHeader(flat, 'host'),
    version,
    headers: toHeaderList(flat, []),
    body: emptyBody(),
  };
}

export function requestHead(req: HttpRequest, flat: string[]): RequestHead {
  return {
    method: req.method,
    target: req.target,
    path: req.path,
    host: req.host,
    headers: req.headers,
    userAgent: firstHeader(flat, 'user-agent'),
  };
}

export function newResponse(status: number, reason: string, version: string, flat: string[]): HttpResponse {
  return { status, reason, version, headers: toHeaderList(flat, []), body: emptyBody(), informational: [] };
}

export type { MessageBody };
