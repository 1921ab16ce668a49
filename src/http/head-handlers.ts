/**
 * What happens when a message head is complete (parser callback onHead): the request opens an exchange
 * and is shown to the policy; a final response pairs with the oldest unanswered request (FIFO), a 1xx is
 * recorded on it. The return value tells the parser how to go on (ParserOwner.onHead): HEAD_BODY (parse
 * the body as framed), HEAD_NO_BODY, HEAD_STOP (no body, stop execute()). Errors are recorded in `Side.error` and handled by
 * the connection after execute() returns.
 */
import type { HttpConnection } from './connection.js';
import { decideFraming, statusHasNoBody, FRAME_CHUNKED, FRAME_NONE, FRAME_SIZED } from './framing.js';
import { hasNul, trimOverlongHead, versionOf } from './head-checks.js';
import { newBody, softError } from './message-end.js';
import { FOLD_FRAMING, FOLD_PLAIN } from './parser/field-line.js';
import { HEAD_BODY, HEAD_NO_BODY, HEAD_STOP, type HeadAction, type HeadInfo, type MessageParser } from './parser/message-parser.js';
import { newRequest, newResponse, requestHead, PendingExchange } from './pending-exchange.js';
import { reportQuirks } from './quirks.js';
import { MODE_PARSE, MODE_RAW09, ROLE_REQUEST, ROLE_RESPONSE, STOP_PAUSE, STOP_TUNNEL, type Side } from './side.js';

export function onRequestHead(c: HttpConnection, p: MessageParser, info: HeadInfo): HeadAction {
  const s = c.sides[ROLE_REQUEST];
  const limit = c.ctx.opts.maxHeaderBytes;
  const tooLarge = p.headBytes > limit;
  if (tooLarge) trimOverlongHead(info, true, limit);
  const ex = openRequest(c, info, s);
  if (ex.simple) cutOrphanResponse(c);
  if (tooLarge) s.error = 'header_too_large';
  else if (hasNul(info)) s.error = 'nul_byte';
  else if (p.foldSeen === FOLD_FRAMING) s.error = 'obs_fold_framing';
  else s.error = decideFraming(info.headers, true, c.framing).error;
  if (s.error !== null) return HEAD_STOP;
  reportQuirks(ex, c.ctx.counters, c.framing.quirks);
  if (p.foldSeen === FOLD_PLAIN) softError(c, ex, 'obs_fold');
  if (p.badVersion) softError(c, ex, 'bad_version');
  const f = c.framing;
  p.setFraming(f.kind === FRAME_CHUNKED, f.kind === FRAME_SIZED ? f.length : 0);
  if (f.kind !== FRAME_NONE && !ex.dropped) ex.requestBody = newBody(c, f.contentEncoding, f.kind === FRAME_SIZED ? f.length : 0);
  if (f.kind === FRAME_NONE && (info.method === 'CONNECT' || f.upgrade)) {
    // The client waits for the answer: tunnel (2xx to CONNECT, 101) or HTTP again.
    c.pausedEx = ex;
    s.stop = STOP_PAUSE;
    return HEAD_STOP;
  }
  return HEAD_BODY;
}

/** Creates the exchange for a request head (complete, or partial after an error) and asks the policy. */
export function openRequest(c: HttpConnection, info: HeadInfo, s: Side): PendingExchange {
  const req = newRequest(info.method, info.url, versionOf(info), info.headers);
  const ex = new PendingExchange(c.queue.nextDepth(), req, s.msgStartSec, s.msgStartNsec);
  if (c.conn.midStream) ex.flag('mid_stream');
  if (c.rolesSwapped) ex.flag('roles_swapped');
  c.loss.onRequestOpened(ex);
  let admitted = true;
  try {
    admitted = c.ctx.policy.admit(requestHead(req, info.headers), c.conn, s.tsSec, s.tsNsec);
  } catch {
    c.ctx.counters.inc('http.policy_error');
  }
  if (!admitted) {
    ex.dropped = true;
    c.ctx.counters.inc('http.dropped_by_policy');
  } else {
    holdHead(c, ex, info);
  }
  c.ctx.counters.inc('http.requests');
  c.queue.push(ex);
  s.ex = ex;
  return ex;
}

/**
 * Charges the request head to the stage's head budget until the exchange is emitted. Over the budget, the
 * header fields are not kept (the policy has seen them): the request line and Host stay, flag
 * `headers_dropped`, counter `http.head_budget_exhausted`. So the budget is exceeded by at most the request
 * lines and Host values of the exchanges that found it spent (each bounded by maxHeaderBytes).
 */
function holdHead(c: HttpConnection, ex: PendingExchange, info: HeadInfo): void {
  const heads = c.ctx.heads;
  const req = ex.request;
  let line = req.method.length + req.target.length;
  let fields = 0;
  const h = info.headers;
  for (let i = 0; i < h.length; i++) fields += h[i]!.length;
  if (heads.held + line + fields > heads.max) {
    req.headers = [];
    ex.flag('headers_dropped');
    c.ctx.counters.inc('http.head_budget_exhausted');
    fields = 0;
    line += req.host?.length ?? 0; // Host stays as the request's own field (it is among the fields otherwise)
  }
  ex.headBytes = line + fields;
  heads.held += ex.headBytes;
}

/**
 * A request certainly existed here but none of it can be reported (a gap began at a request boundary, or
 * cut a request before its start line was complete): a placeholder takes its place in the FIFO, so that
 * its response answers it. It is never emitted (`dropped`); counted `http.request_lost`.
 */
export function openLostRequest(c: HttpConnection, s: Side): void {
  const ex = new PendingExchange(c.queue.nextDepth(), newRequest('', '', '', []), s.tsSec, s.tsNsec);
  ex.dropped = true;
  ex.requestDone = true;
  c.queue.push(ex);
  c.ctx.counters.inc('http.request_lost');
}

export function onResponseHead(c: HttpConnection, p: MessageParser, info: HeadInfo): HeadAction {
  const s = c.sides[ROLE_RESPONSE];
  const status = info.statusCode;
  const informational = status >= 100 && status < 200 && status !== 101;
  const limit = c.ctx.opts.maxHeaderBytes;
  const tooLarge = p.headBytes > limit;
  if (tooLarge) trimOverlongHead(info, false, limit);
  let pair = c.queue.oldestUnanswered();
  if (pair === null) {
    c.ctx.counters.inc('http.response_without_request');
    c.loss.onOrphanResponse(c.queue.requestCount);
    s.orphan = true;
  } else if (informational) {
    pair.informational.push(status);
    return HEAD_NO_BODY;
  } else {
    pair = c.answerWithResponse();
    s.ex = pair;
    pair!.response = newResponse(status, info.statusMessage, versionOf(info), info.headers);
  }
  if (tooLarge) s.error = 'header_too_large';
  else if (hasNul(info)) s.error = 'nul_byte';
  else if (p.foldSeen === FOLD_FRAMING) s.error = 'obs_fold_framing';
  if (s.error !== null) return HEAD_STOP;
  if (informational) return HEAD_NO_BODY;
  if (p.foldSeen === FOLD_PLAIN && pair !== null) softError(c, pair, 'obs_fold');
  const method = pair === null ? '' : pair.request.method;
  if (status === 101 || (method === 'CONNECT' && status >= 200 && status < 300)) {
    pair?.flag('upgraded');
    s.stop = STOP_TUNNEL;
    return HEAD_STOP;
  }
  if (pair !== null && pair === c.pausedEx) c.resumeRequests();
  if (method === 'HEAD' || statusHasNoBody(status)) return HEAD_NO_BODY;
  const f = decideFraming(info.headers, false, c.framing);
  if (f.error !== null) {
    s.error = f.error;
    return HEAD_STOP;
  }
  if (pair !== null) reportQuirks(pair, c.ctx.counters, f.quirks);
  p.setFraming(f.kind === FRAME_CHUNKED, f.kind === FRAME_SIZED ? f.length : f.kind === FRAME_NONE ? 0 : null);
  if (pair !== null && f.kind !== FRAME_NONE && !pair.dropped) {
    pair.responseBody = newBody(c, f.contentEncoding, f.kind === FRAME_SIZED ? f.length : 0);
  }
  return HEAD_BODY;
}

/**
 * An HTTP/0.9 request arrived while the response side is inside a response that had no request (as in
 * Zeek's http-09-content-length-confusion test): that response ends here, and the server's next bytes are
 * the 0.9 reply (raw until close) instead of the rest of a Content-Length the orphan announced. Counted
 * `http.orphan_response_cut`.
 */
function cutOrphanResponse(c: HttpConnection): void {
  const rs = c.sides[ROLE_RESPONSE];
  if (rs.mode !== MODE_PARSE || !rs.orphan) return;
  rs.parser.reset();
  rs.orphan = false;
  c.ctx.counters.inc('http.orphan_response_cut');
}

/** The response side starts the raw (until close) reply to an HTTP/0.9 request. */
export function beginSimpleResponse(c: HttpConnection, s: Side): void {
  const pair = c.answerWithResponse();
  if (pair === null) return;
  pair.response = newResponse(0, '', '0.9', []);
  if (!pair.dropped) pair.responseBody = newBody(c, null);
  s.ex = pair;
  s.mode = MODE_RAW09;
}
