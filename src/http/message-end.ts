/**
 * How a message ends: normally (body report, flags for caps and decode errors), on a parse error
 * (flagged, side resyncs), or interrupted by a gap or the close. Functions of the connection (no state of
 * their own); they only record state and never emit: the connection emits after the parser returns.
 */
import { BodyCollector, BODY_DECODE_CAP, BODY_DECODE_ERROR, BODY_TRUNCATED_BY_BUDGET, BODY_TRUNCATED_BY_LENGTH } from './body.js';
import type { HttpConnection } from './connection.js';
import { codingOf } from './decoder.js';
import { openLostRequest } from './head-handlers.js';
import { trimOverlongHead, versionOf } from './head-checks.js';
import { ST_HEADER } from './parser/message-parser.js';
import { newResponse, type PendingExchange } from './pending-exchange.js';
import { reportQuirks } from './quirks.js';
import { ROLE_REQUEST, STOP_PAUSE, type Side } from './side.js';
import type { MessageBody } from './types.js';

/**
 * A body collector for a message with a body; counts decoding started / unknown coding.
 * `announcedBytes`: the Content-Length of a sized body (a size hint for the collector), else 0.
 */
export function newBody(c: HttpConnection, contentEncoding: string | null, announcedBytes = 0): BodyCollector {
  const coding = codingOf(contentEncoding);
  if (coding > 0) c.ctx.counters.inc('http.bodies_decoded');
  else if (coding < 0) c.ctx.counters.inc('http.unknown_content_encoding');
  return new BodyCollector(coding, c.ctx.opts, c.ctx.budget, announcedBytes);
}

function finishBody(c: HttpConnection, ex: PendingExchange, body: BodyCollector | null): MessageBody | null {
  if (body === null) return null;
  const report = body.finish();
  const cond = body.conditions;
  const counters = c.ctx.counters;
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

/** The request of `ex` is complete (or will not complete): its body is reported. Idempotent. */
export function finishRequest(c: HttpConnection, ex: PendingExchange, s: Side): void {
  if (ex.requestDone) return;
  const report = finishBody(c, ex, ex.requestBody);
  if (report !== null) ex.request.body = report;
  reportQuirks(ex, c.ctx.counters, s.parser.quirks | (ex.requestBody?.quirks ?? 0));
  ex.requestDone = true;
  if (ex.response === null) ex.setEnd(s.tsSec, s.tsNsec);
  if (s.ex === ex && s === c.sides[ROLE_REQUEST]) s.ex = null;
}

/** The response of `ex` is complete (or will not complete); the exchange ends at the side's time. */
export function finishResponse(c: HttpConnection, ex: PendingExchange, s: Side): void {
  if (ex.response !== null) {
    const report = finishBody(c, ex, ex.responseBody);
    if (report !== null) ex.response.body = report;
    reportQuirks(ex, c.ctx.counters, s.parser.quirks | (ex.responseBody?.quirks ?? 0));
  }
  ex.responseDone = true;
  ex.setEnd(s.tsSec, s.tsNsec);
  if (s.ex === ex) s.ex = null;
}

/** A defect that keeps the message: flag `parse_error`, count `http.parse_error.<reason>`. */
export function softError(c: HttpConnection, ex: PendingExchange, reason: string): void {
  ex.flag('parse_error');
  c.ctx.counters.inc(`http.parse_error.${reason}`);
}

/**
 * Ends the message in progress on a parse error: flags what was parsed, counts the reason, and puts
 * the side into resync. `atLineStart`: whether the parser stopped at the beginning of a line.
 */
export function failMessage(c: HttpConnection, role: 0 | 1, s: Side, reason: string, atLineStart: boolean): void {
  const p = s.parser;
  let ex = s.ex;
  if (ex === null && !s.orphan && p.state === ST_HEADER) {
    // The start line was valid: report the partial head.
    if (reason === 'header_too_large') trimOverlongHead(p.info, role === ROLE_REQUEST, c.ctx.opts.maxHeaderBytes);
    if (role === ROLE_REQUEST) ex = c.openRequest(p.info, s);
    else {
      ex = c.answerWithResponse();
      if (ex !== null) ex.response = newResponse(p.info.statusCode, p.info.statusMessage, versionOf(p.info), p.info.headers);
    }
  }
  c.ctx.counters.inc(`http.parse_error.${reason}`);
  if (ex !== null) {
    ex.flag('parse_error');
    if (role === ROLE_REQUEST) finishRequest(c, ex, s);
    else finishResponse(c, ex, s);
  }
  s.ex = null;
  s.orphan = false;
  if (c.pausedEx !== null && role === ROLE_REQUEST && s.stop === STOP_PAUSE) c.pausedEx = null;
  s.startResync(atLineStart);
}

/** The message in progress on this side will not complete (gap or close): flag and finish it. */
export function interrupt(c: HttpConnection, role: 0 | 1, s: Side): void {
  const p = s.parser;
  let ex = s.ex;
  if (ex === null && !s.orphan && !p.atMessageStart()) {
    if (role === ROLE_REQUEST) {
      if (p.state === ST_HEADER) ex = c.openRequest(p.info, s);
      else c.requestHeadLost();
    } else {
      ex = c.answerWithResponse();
    }
  }
  if (ex !== null) {
    ex.flag('interrupted');
    if (role === ROLE_REQUEST) finishRequest(c, ex, s);
    else finishResponse(c, ex, s);
  }
  s.ex = null;
  s.orphan = false;
}

/** Outcomes of gapWhileParsing. */
export const GAP_IN_BODY = 0;
export const GAP_AT_BOUNDARY = 1;
export const GAP_INTERRUPTED = 2;

/**
 * Bytes are missing at this point of a side that was parsing. Inside a body whose remaining length
 * covers the gap: skipped (flag `gap`), GAP_IN_BODY. Between messages: GAP_AT_BOUNDARY. Otherwise the
 * message in progress is interrupted, GAP_INTERRUPTED. Except in a body the side resyncs; the caller
 * records the loss for pairing (LossTracker).
 */
export function gapWhileParsing(c: HttpConnection, role: 0 | 1, s: Side, length: number): number {
  const p = s.parser;
  if (p.bodyRemaining() >= length) {
    c.ctx.counters.inc('http.gap_in_body');
    if (s.ex !== null) {
      s.ex.flag('gap');
      const body = role === ROLE_REQUEST ? s.ex.requestBody : s.ex.responseBody;
      body?.gap(length);
    }
    p.skipBody(length);
    return GAP_IN_BODY;
  }
  if (p.atMessageStart() && s.ex === null && !s.orphan) {
    c.ctx.counters.inc('http.gap_between_messages');
    s.startResync(true);
    return GAP_AT_BOUNDARY;
  }
  c.ctx.counters.inc('http.gap_interrupted');
  interrupt(c, role, s);
  s.startResync(true);
  return GAP_INTERRUPTED;
}

/**
 * A gap outside a known-length body (policy: loss-tracker.ts, docs/http.md). At a request boundary a
 * request was lost: a placeholder keeps its place in the FIFO. At a response boundary the oldest unanswered
 * request lost its response: it is given up (`interrupted`, no response, `http.response_lost`).
 */
export function recordLoss(c: HttpConnection, role: 0 | 1, s: Side, atBoundary: boolean): void {
  if (role === ROLE_REQUEST) {
    if (atBoundary) openLostRequest(c, s);
    c.loss.onRequestLoss();
    return;
  }
  if (atBoundary) {
    const ex = c.queue.answer();
    if (ex !== null) {
      ex.flag('interrupted');
      finishResponse(c, ex, s);
      c.ctx.counters.inc('http.response_lost');
    }
  }
  c.loss.onResponseLoss(c.queue.unanswered);
}
