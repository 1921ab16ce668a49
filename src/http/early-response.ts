/**
 * Response bytes captured before the request they answer (capture order is not causal order: a request's
 * last segment may be captured after the response's first). They are held, copied, at most
 * HttpOptions.maxHeaderBytes per connection, and fed to the response parser once a request waits for an
 * answer; when the cap is hit (`http.early_response_overflow`), at a gap or at the close they are fed as
 * they stand (then as a response without request if none waits).
 */
import type { HttpConnection } from './connection.js';
import { MODE_PARSE, ROLE_REQUEST, ROLE_RESPONSE, type Side } from './side.js';

/**
 * Keeps response bytes that start a message while no request is waiting for an answer, so they pair with
 * the request once its head completes: while a request head is half received, or on a connection seen from
 * its SYN that already carried a request (a keep-alive response whose request was captured late). Not for
 * the first bytes of a connection (a server that talks first) nor mid-stream ones (the response may answer
 * a request from before the capture). Returns true when held.
 */
export function holdEarlyResponse(c: HttpConnection, s: Side, data: Buffer, tsSec: number, tsNsec: number): boolean {
  if (s.earlyBytes === 0) {
    const rq = c.sides[ROLE_REQUEST];
    if (s.mode !== MODE_PARSE || !s.parser.atMessageStart() || s.orphan || c.queue.oldestUnanswered() !== null) return false;
    const headInProgress = rq.mode === MODE_PARSE && !rq.parser.atMessageStart() && rq.parser.inHead();
    if (!headInProgress && (c.conn.midStream || c.queue.requestCount === 0 || !c.loss.mayHoldEarly())) return false;
    s.earlySec = tsSec;
    s.earlyNsec = tsNsec;
  }
  if (s.earlyBytes + data.length > c.ctx.opts.maxHeaderBytes) {
    c.ctx.counters.inc('http.early_response_overflow');
    releaseEarlyResponse(c);
    return false;
  }
  s.early.push(Buffer.from(data));
  s.earlyBytes += data.length;
  c.ctx.counters.inc('http.early_response_held');
  return true;
}

/** Feeds the held early response bytes to the response parser (paired or, failing that, orphan). */
export function releaseEarlyResponse(c: HttpConnection): void {
  const s = c.sides[ROLE_RESPONSE];
  if (s.earlyBytes === 0) return;
  const held = s.early;
  s.early = [];
  s.earlyBytes = 0;
  const sec = s.tsSec;
  const nsec = s.tsNsec;
  s.tsSec = s.earlySec;
  s.tsNsec = s.earlyNsec;
  for (const b of held) c.feedSide(ROLE_RESPONSE, b);
  if (sec > s.earlySec || (sec === s.earlySec && nsec > s.earlyNsec)) {
    s.tsSec = sec;
    s.tsNsec = nsec;
  }
}
