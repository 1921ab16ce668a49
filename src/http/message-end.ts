/**
 * A message's body from start to report, on the exchange (no side or connection state): a collector for
 * a framed body, and the end of a request or response (body report, flags for caps and decode errors,
 * end time). Called by the side the message belongs to, and by the connection for losses and the close.
 */
import { BodyCollector, BODY_DECODE_CAP, BODY_DECODE_ERROR, BODY_TRUNCATED_BY_BUDGET, BODY_TRUNCATED_BY_LENGTH } from './body.js';
import type { HttpContext } from './context.js';
import { codingOf } from './decoder.js';
import type { PendingExchange } from './pending-exchange.js';
import { reportQuirks } from './quirks.js';
import type { MessageBody } from './types.js';

/**
 * A body collector for a message with a body; counts decoding started / unknown coding.
 * `announcedBytes`: the Content-Length of a sized body (a size hint for the collector), else 0.
 */
export function newBody(ctx: HttpContext, contentEncoding: string | null, announcedBytes = 0): BodyCollector {
  const coding = codingOf(contentEncoding);
  if (coding > 0) ctx.counters.inc('http.bodies_decoded');
  else if (coding < 0) ctx.counters.inc('http.unknown_content_encoding');
  return new BodyCollector(coding, ctx.opts, ctx.budget, announcedBytes);
}

function finishBody(ctx: HttpContext, ex: PendingExchange, body: BodyCollector | null): MessageBody | null {
  if (body === null) return null;
  const report = body.finish();
  const cond = body.conditions;
  const counters = ctx.counters;
  if ((cond & (BODY_TRUNCATED_BY_LENGTH | BODY_TRUNCATED_BY_BUDGET | BODY_DECODE_CAP)) !== 0) ex.flag('truncated');
  if ((cond & BODY_TRUNCATED_BY_LENGTH) !== 0) counters.inc('http.body_truncated');
  if ((cond & BODY_TRUNCATED_BY_BUDGET) !== 0) counters.inc('http.body_budget_exhausted');
  if ((cond & BODY_DECODE_CAP) !== 0) counters.inc('http.decode_cap_hit');
  if ((cond & BODY_DECODE_ERROR) !== 0) {
    ex.flag('decode_error');
    counters.inc('http.decode_error');
  }
  return report;
}

/**
 * The request of `ex` is complete (or will not complete): its body is reported, with the quirks
 * (quirks.ts) of its parse, `parserQuirks` (MessageParser.quirks; 0 when no parser saw it), and of its body. Idempotent.
 */
export function finishRequest(ctx: HttpContext, ex: PendingExchange, sec: number, nsec: number, parserQuirks: number): void {
  if (ex.requestDone) return;
  const report = finishBody(ctx, ex, ex.requestBody);
  if (report !== null) ex.request.body = report;
  reportQuirks(ex, ctx.counters, parserQuirks | (ex.requestBody?.quirks ?? 0));
  ex.requestDone = true;
  if (ex.response === null) ex.setEnd(sec, nsec);
}

/** The response of `ex` is complete (or will not complete); the exchange ends at the given time. Quirks as for finishRequest. */
export function finishResponse(ctx: HttpContext, ex: PendingExchange, sec: number, nsec: number, parserQuirks: number): void {
  if (ex.response !== null) {
    const report = finishBody(ctx, ex, ex.responseBody);
    if (report !== null) ex.response.body = report;
    reportQuirks(ex, ctx.counters, parserQuirks | (ex.responseBody?.quirks ?? 0));
  }
  ex.responseDone = true;
  ex.setEnd(sec, nsec);
}

/** A defect that keeps the message: flag `parse_error`, count `http.parse_error.<reason>`. */
export function softError(ctx: HttpContext, ex: PendingExchange, reason: string): void {
  ex.flag('parse_error');
  ctx.counters.inc(`http.parse_error.${reason}`);
}
