/**
 * CONNECT and Upgrade: after such a request without body the client waits for the answer, so the
 * request side pauses (MODE_PAUSED) and holds what the client sends meanwhile: copies, at most
 * HttpOptions.maxHeaderBytes (beyond it, or after a gap, the held bytes are broken: counted
 * `http.bytes_discarded.paused` and dropped, and the side resyncs when it resumes). A final answer that is
 * not a tunnel resumes parsing with the held bytes; a tunnel (101, 2xx to CONNECT) ends HTTP on the
 * connection (`http.upgraded`).
 */
import type { HttpConnection } from './connection.js';
import { MODE_IGNORE, MODE_PARSE, MODE_PAUSED, ROLE_REQUEST, type Side } from './side.js';

/** Paused request side: keeps a copy of data[off..] within the cap. */
export function holdPaused(c: HttpConnection, s: Side, data: Buffer, off: number): void {
  const n = data.length - off;
  if (s.heldBroken || s.heldBytes + n > c.ctx.opts.maxHeaderBytes) {
    s.heldBroken = true;
    c.ctx.counters.inc('http.bytes_discarded.paused', n);
    return;
  }
  s.held.push(Buffer.from(data.subarray(off)));
  s.heldBytes += n;
}

/**
 * The paused CONNECT / Upgrade request got a final answer that is not a tunnel: the request side parses
 * again, starting with the bytes held meanwhile. Runs synchronously (also from a response callback, so
 * that responses later in the same chunk find the requests they answer).
 */
export function resumeRequests(c: HttpConnection): void {
  const rq = c.sides[ROLE_REQUEST];
  c.pausedEx = null;
  if (rq.mode !== MODE_PAUSED || c.tunnel) return;
  const held = rq.held;
  rq.held = [];
  rq.heldBytes = 0;
  if (rq.heldBroken) {
    rq.heldBroken = false;
    rq.startResync(true);
  } else rq.mode = MODE_PARSE;
  for (const b of held) c.feedSide(ROLE_REQUEST, b);
}

/** A tunnel begins: both sides ignore (and count) every later byte; held request bytes are dropped. */
export function enterTunnel(c: HttpConnection): void {
  c.tunnel = true;
  const rq = c.sides[ROLE_REQUEST];
  if (rq.heldBytes > 0) c.ignoredBytes += rq.heldBytes;
  rq.held = [];
  rq.heldBytes = 0;
  c.pausedEx = null;
  for (const s of c.sides) s.mode = MODE_IGNORE;
  c.ctx.counters.inc('http.upgraded');
}
