/**
 * One HTTP/2 stream as one exchange: the request from the client's header block (pseudo-header fields
 * `:method`, `:path`, `:authority`, `:scheme`), the response from the server's (`:status`, 1xx as
 * informational), DATA into the same body collectors as HTTP/1 (content encodings, caps, budgets),
 * trailers appended to the message's headers, gRPC facts when the request is gRPC.
 *
 * Emission mirrors the HTTP/1 exchange queue: budgets are released, a refused (policy) exchange is
 * dropped silently, an exchange without response gets `no_response`, the sink gets the exchange with
 * `version` "2", its `streamId` and, for gRPC, `grpc`.
 */
import type { ConnectionInfo } from '../reassembly/types.js';
import type { HttpContext } from '../http/context.js';
import { admitRequest } from '../http/exchange-open.js';
import { finishRequest, finishResponse, newBody } from '../http/message-end.js';
import { PendingExchange, firstHeader, newRequest, newResponse, toHeaderList } from '../http/pending-exchange.js';
import type { GrpcInfo } from '../http/types.js';
import { isGrpc, readGrpcStatus, reportGrpcMessages } from './grpc.js';
import { GrpcMessages } from './grpc-messages.js';

/** Splits a decoded field list into pseudo-header values and the regular fields (flat). */
function split(fields: string[]): { pseudo: Map<string, string>; regular: string[] } {
  const pseudo = new Map<string, string>();
  const regular: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i];
    if (name.charCodeAt(0) === 0x3a /* : */) {
      if (!pseudo.has(name)) pseudo.set(name, fields[i + 1]);
    } else regular.push(name, fields[i + 1]);
  }
  return { pseudo, regular };
}

/** The `grpc-encoding` of a header block (lower case), or null. */
function grpcEncoding(flat: string[]): string | null {
  return firstHeader(flat, 'grpc-encoding')?.trim().toLowerCase() ?? null;
}

export class H2Stream {
  ex: PendingExchange;
  /** The request's header block was seen (false: a placeholder opened by the response, see `request`). */
  requestSeen = false;
  requestEnded = false;
  responseEnded = false;
  /** A final response head was seen (later header blocks of the server are trailers). */
  private responseHead = false;
  private grpc: GrpcInfo | null = null;
  private grpcCount: [GrpcMessages, GrpcMessages] | null = null;
  /** DATA came from the client / the server (before a placeholder's request: those bytes were not framed). */
  private readonly dataSeen = [false, false];

  /** Opens the stream from the request's header block (or a placeholder when none was seen: `fields` null). */
  constructor(
    private readonly ctx: HttpContext, private readonly conn: ConnectionInfo, readonly id: number, private readonly depth: number,
    fields: string[] | null, sec: number, nsec: number,
  ) {
    this.ex = this.request(fields, sec, nsec);
  }

  /**
   * The request's header block. On a placeholder (the response's header block came first: the capture
   * joined late, or the capture order put a server segment before the client's), the request takes the
   * placeholder's place and keeps what the response already set.
   */
  request(fields: string[] | null, sec: number, nsec: number): PendingExchange {
    const before = this.requestSeen ? null : (this.ex as PendingExchange | undefined) ?? null;
    const ex = this.openRequest(fields, sec, nsec);
    if (before !== null && fields !== null) {
      ex.response = before.response;
      ex.responseBody = ex.dropped ? null : before.responseBody;
      ex.informational.push(...before.informational);
      for (const f of before.flags) ex.flag(f);
      if (before.startSec < ex.startSec || (before.startSec === ex.startSec && before.startNsec < ex.startNsec)) {
        ex.startSec = before.startSec;
        ex.startNsec = before.startNsec;
      }
      if (this.grpc !== null && ex.response !== null) readGrpcStatus(this.grpc, ex.response.headers); // messages before this are not counted
      if (this.grpcCount !== null && ex.response !== null) this.grpcCount[1].encoding = grpcEncoding(ex.response.headers.flat());
      if (this.dataSeen[1]) this.desync(false); // response messages passed before the stream knew it was gRPC
      if (ex.dropped && before.responseBody !== null) before.responseBody.finish(); // releases its decoder
      this.ctx.budget.held -= ex.dropped ? before.heldBytes() : 0;
    }
    this.ex = ex;
    return ex;
  }

  private openRequest(fields: string[] | null, sec: number, nsec: number): PendingExchange {
    const depth = this.depth;
    const { pseudo, regular } = split(fields ?? []);
    const method = pseudo.get(':method') ?? '';
    const path = pseudo.get(':path') ?? '';
    const req = newRequest(method, path, '2', regular);
    const authority = pseudo.get(':authority');
    if (authority !== undefined) req.host = authority;
    const scheme = pseudo.get(':scheme');
    if (scheme !== undefined) req.scheme = scheme;
    const ex = new PendingExchange(depth, req, sec, nsec);
    if (fields === null) return ex; // a response whose request is not (yet) seen
    this.requestSeen = true;
    const ctx = this.ctx;
    admitRequest(ctx, this.conn, ex, {
      versionMajor: 2, versionMinor: 0, headers: regular, method, url: path, statusCode: 0, statusMessage: '',
    }, sec, nsec);
    ctx.counters.inc('http2.streams');
    if (ex.dropped) return ex;
    ex.requestBody = newBody(ctx, firstHeader(regular, 'content-encoding'));
    if (isGrpc(firstHeader(regular, 'content-type'))) {
      this.grpc = { status: null, message: null, requestMessages: 0, responseMessages: 0 };
      this.grpcCount = [new GrpcMessages(ctx.opts, ctx.budget), new GrpcMessages(ctx.opts, ctx.budget)];
      this.grpcCount[0].encoding = grpcEncoding(regular);
    }
    return ex;
  }

  /**
   * Stream 1 of an h2c upgrade: the HTTP/1.1 upgrade request (already admitted, complete) is its request; the
   * 101 is recorded as informational and the response comes as HTTP/2. Flag `upgraded`.
   */
  static fromUpgrade(ctx: HttpContext, conn: ConnectionInfo, http1: PendingExchange, depth: number): H2Stream {
    const s = new H2Stream(ctx, conn, 1, depth, null, http1.startSec, http1.startNsec);
    const ex = s.ex;
    Object.assign(ex.request, http1.request);
    ex.dropped = http1.dropped;
    ex.request.scheme = 'http'; // h2c is the http scheme (RFC 7540 §3.2)
    ex.informational.push(101);
    for (const f of http1.flags) ex.flag(f);
    ex.requestDone = true;
    s.requestEnded = true;
    s.requestSeen = true;
    return s;
  }

  /** A later client header block: trailers of the request. */
  requestTrailers(fields: string[]): void {
    toHeaderList(split(fields).regular, this.ex.request.headers);
  }

  /** A server header block: a 1xx, the response head, or (after the head) trailers. */
  responseBlock(fields: string[]): void {
    const { pseudo, regular } = split(fields);
    const ex = this.ex;
    if (this.responseHead) {
      const headers = toHeaderList(regular, (ex.response as NonNullable<typeof ex.response>).headers);
      if (this.grpc !== null) readGrpcStatus(this.grpc, headers); // the head's fields again, then the trailers': the last wins
      return;
    }
    const status = Number.parseInt(pseudo.get(':status') ?? '', 10);
    const code = Number.isFinite(status) ? status : 0;
    if (code >= 100 && code < 200) {
      ex.informational.push(code);
      return;
    }
    this.responseHead = true;
    ex.response = newResponse(code, '', '2', regular);
    if (!ex.dropped) ex.responseBody = newBody(this.ctx, firstHeader(regular, 'content-encoding'));
    if (this.grpc !== null) readGrpcStatus(this.grpc, ex.response.headers);
    if (this.grpcCount !== null) this.grpcCount[1].encoding = grpcEncoding(regular);
  }

  /**
   * DATA bytes sent by the client (`fromClient`) or the server. Bytes of a side already ended (after its
   * END_STREAM, a reset, or on the request side of a pushed stream) are dropped, `http2.data_after_end`.
   */
  data(fromClient: boolean, bytes: Buffer): void {
    if (fromClient ? this.requestEnded : this.responseEnded) {
      this.ctx.counters.inc('http2.data_after_end', bytes.length);
      return;
    }
    this.dataSeen[fromClient ? 0 : 1] = true;
    const body = fromClient ? this.ex.requestBody : this.ex.responseBody;
    if (this.grpcCount !== null) this.grpcCount[fromClient ? 0 : 1].write(bytes, body); // messages decoded into the body
    else if (body !== null) body.write(bytes);
  }

  /**
   * The gRPC message boundaries of one direction are lost (a gap): a held message goes to the body as sent,
   * later bytes pass through uncounted (`http2.grpc_desync`, once per direction and stream).
   */
  desync(fromClient: boolean): void {
    const msgs = this.grpcCount?.[fromClient ? 0 : 1];
    if (msgs?.desync(fromClient ? this.ex.requestBody : this.ex.responseBody)) this.ctx.counters.inc('http2.grpc_desync');
  }

  /** Messages of one direction cut short go to its body as sent; messages not decoded are flagged (grpc.ts). */
  private endGrpc(dir: 0 | 1): void {
    if (this.grpcCount === null) return;
    const msgs = this.grpcCount[dir];
    msgs.end(dir === 0 ? this.ex.requestBody : this.ex.responseBody);
    reportGrpcMessages(msgs, this.ex, this.ctx.counters);
  }

  /** Ends the request (END_STREAM from the client, a reset, or the close). */
  endRequest(sec: number, nsec: number): void {
    this.requestEnded = true;
    if (!this.ex.requestDone) this.endGrpc(0);
    finishRequest(this.ctx, this.ex, sec, nsec, 0); // no HTTP/1 parser quirks: body quirks only
  }

  endResponse(sec: number, nsec: number): void {
    this.responseEnded = true;
    if (!this.ex.responseDone) this.endGrpc(1);
    finishResponse(this.ctx, this.ex, sec, nsec, 0);
  }

  /** Hands the finished exchange to the sink (both messages ended) and releases its budgets. */
  emit(rolesSwapped: boolean): void {
    const ctx = this.ctx;
    const ex = this.ex;
    if (this.grpcCount !== null) { // both ended by now; releases a message still held, whatever the order of events
      this.grpcCount[0].end(null);
      this.grpcCount[1].end(null);
    }
    ctx.budget.held -= ex.heldBytes();
    ctx.heads.held -= ex.headBytes;
    if (ex.dropped) return;
    if (ex.response === null) ex.flag('no_response');
    ctx.counters.inc('http.exchanges');
    const out = ex.toExchange(this.conn, rolesSwapped);
    out.streamId = this.id;
    if (this.grpc !== null && this.grpcCount !== null) {
      this.grpc.requestMessages = this.grpcCount[0].messages;
      this.grpc.responseMessages = this.grpcCount[1].messages;
      out.grpc = this.grpc;
    }
    try {
      ctx.sink.onExchange(out);
    } catch {
      ctx.counters.inc('http.sink_error');
    }
  }
}
