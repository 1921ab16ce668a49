/**
 * How an exchange comes to exist (called by the connection only): from a request head, after the
 * policy's decision and within the head budget; or as the placeholder of a request that was certainly
 * sent but cannot be reported.
 */
import type { ConnectionInfo } from '../reassembly/types.js';
import type { HttpContext } from './context.js';
import { versionOf } from './head-checks.js';
import type { HeadInfo } from './parser/message-parser.js';
import { newRequest, requestHead, PendingExchange } from './pending-exchange.js';

/** A new exchange for a request head (complete, or partial after an error), `depth` on its connection. */
export function exchangeForHead(depth: number, info: HeadInfo, startSec: number, startNsec: number): PendingExchange {
  return new PendingExchange(depth, newRequest(info.method, info.url, versionOf(info), info.headers), startSec, startNsec);
}

/**
 * Shows the request to the policy (with the time of the data) and counts it. Refused: `dropped` (nothing
 * collected, nothing emitted; `http.dropped_by_policy`); admitted: its head is charged to the head budget.
 */
export function admitRequest(
  ctx: HttpContext, conn: ConnectionInfo, ex: PendingExchange, info: HeadInfo, tsSec: number, tsNsec: number,
): void {
  let admitted = true;
  try {
    admitted = ctx.policy.admit(requestHead(ex.request, info.headers), conn, tsSec, tsNsec);
  } catch {
    ctx.counters.inc('http.policy_error');
  }
  if (!admitted) {
    ex.dropped = true;
    ctx.counters.inc('http.dropped_by_policy');
  } else {
    holdHead(ctx, ex, info);
  }
  ctx.counters.inc('http.requests');
}

/**
 * Charges the request head to the stage's head budget until the exchange is emitted. Over the budget, the
 * header fields are not kept (the policy has seen them): the request line and Host stay, flag
 * `headers_dropped`, counter `http.head_budget_exhausted`. So the budget is exceeded by at most the request
 * lines and Host values of the exchanges that found it spent (each bounded by maxHeaderBytes).
 */
function holdHead(ctx: HttpContext, ex: PendingExchange, info: HeadInfo): void {
  const heads = ctx.heads;
  const req = ex.request;
  let line = req.method.length + req.target.length;
  let fields = 0;
  const h = info.headers;
  for (let i = 0; i < h.length; i++) fields += h[i]!.length;
  if (heads.held + line + fields > heads.max) {
    req.headers = [];
    ex.flag('headers_dropped');
    ctx.counters.inc('http.head_budget_exhausted');
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
export function lostRequestPlaceholder(ctx: HttpContext, depth: number, sec: number, nsec: number): PendingExchange {
  const ex = new PendingExchange(depth, newRequest('', '', '', []), sec, nsec);
  ex.dropped = true;
  ex.requestDone = true;
  ctx.counters.inc('http.request_lost');
  return ex;
}
