/**
 * Decodes one complete compressed gRPC message (gzip or deflate) into the body as a length-prefixed message
 * with flag 0. The codings and the zlib-wrapped / raw deflate choice are the body pipeline's
 * (src/http/decoder.ts: `CODING_*`, `deflateIsWrapped`).
 *
 * The prefix carries the decoded length, known only once the message is decoded, and the body collector
 * takes bytes in order. A message of at most KEEP_BYTES compressed bytes is decoded in one zlib call whose
 * output is capped at min(KEEP_BYTES, limit) (the common small message: no engine kept, the output written
 * straight after the prefix). When that output would pass the cap, the cap counts as work, and a cap of
 * `limit` answers 'cap' with no other pass. Otherwise, or when that output would pass KEEP_BYTES, a first pass of the shared
 * StreamDecoder counts the output and checks the message decodes completely within `limit`, keeping copies
 * only while the output stays within KEEP_BYTES (charged to the body budget while kept); a larger output is
 * produced again by a second pass straight into the body, which stops once the body keeps no more bytes
 * (the rest only counted). Nothing is written to the body unless the message decodes: the caller then
 * keeps it as sent. The output produced by every pass and the passes run are added to `work`.
 */
import zlib from 'node:zlib';
import { CODING_GZIP, StreamDecoder, deflateIsWrapped } from '../http/decoder.js';
import { BODY_TRUNCATED_BY_BUDGET, BODY_TRUNCATED_BY_LENGTH } from '../http/body.js';
import type { ByteBudget } from '../http/byte-budget.js';

/**
 * What receives the re-framed bytes (a BodyCollector, which copies what it keeps). `conditions` / `decoding`,
 * when present, tell a body that keeps no more bytes: one without a decoder whose capture cap is reached.
 */
export interface ByteSink { write(data: Buffer): void; readonly conditions?: number; readonly decoding?: boolean }

/** Decoding work of one direction: output bytes produced by all passes, and the passes run. */
export interface DecodeWork { bytes: number; passes: number }

/** Decoded output kept from the first pass (bytes); above it the message is decoded a second time. */
export const KEEP_BYTES = 64 * 1024;
/** Compressed bytes fed per decoder call at most. */
const FEED_BYTES = 16 * 1024;
/** Fewest compressed bytes fed per call near the limit (bounds the output past it: deflate expands at most MAX_RATIO:1). */
const MIN_FEED = 64;
const MAX_RATIO = 1032;
const ZEROS = Buffer.alloc(KEEP_BYTES);

interface Count {
  length: number;
  kept: Buffer[] | null;
  keptBytes: number;
  budget: ByteBudget;
}

function dropKept(c: Count): void {
  c.budget.held -= c.keptBytes;
  c.keptBytes = 0;
  c.kept = null;
}

/** First-pass output: counted; copied while the total stays within KEEP_BYTES and the budget. */
function count(out: Buffer, ctx: unknown): void {
  const c = ctx as Count;
  c.length += out.length;
  if (c.kept === null) return;
  if (c.length > KEEP_BYTES || out.length > c.budget.max - c.budget.held) {
    dropKept(c);
    return;
  }
  const copy = Buffer.allocUnsafeSlow(out.length);
  out.copy(copy);
  c.kept.push(copy);
  c.keptBytes += copy.length;
  c.budget.held += copy.length;
}

/** A body without a decoder whose capture cap is reached: later bytes only count in its length. */
function keepsNoMore(body: ByteSink): boolean {
  const cond = body.conditions ?? 0;
  return body.decoding === false && (cond & (BODY_TRUNCATED_BY_LENGTH | BODY_TRUNCATED_BY_BUDGET)) === BODY_TRUNCATED_BY_LENGTH;
}

/** Second-pass output: written while the body keeps bytes; `written` counts it. */
interface ToBody { body: ByteSink; written: number }

function toBody(out: Buffer, ctx: unknown): void {
  const t = ctx as ToBody;
  t.body.write(out);
  t.written += out.length;
}

/** Counts `n` bytes in a body that keeps no more (nothing copied: see keepsNoMore). */
function countOnly(body: ByteSink, n: number): void {
  for (; n > 0; n -= KEEP_BYTES) body.write(ZEROS.subarray(0, Math.min(n, KEEP_BYTES)));
}

/**
 * Runs `pieces` through a fresh decoder; false when the data is corrupt or truncated, or `stop()` holds.
 * `room()`: output still allowed, which sizes the slices fed (so the output passes it by little).
 */
function run(coding: number, pieces: Buffer[], emit: (out: Buffer, ctx: unknown) => void, ctx: unknown, room: () => number, work: DecodeWork): boolean {
  const decoder = new StreamDecoder(coding);
  work.passes++;
  try {
    for (const p of pieces) {
      for (let off = 0; off < p.length;) {
        const left = room();
        if (left < 0) return false;
        const step = Math.min(FEED_BYTES, Math.max(MIN_FEED, Math.floor(left / MAX_RATIO)));
        if (!decoder.write(p.subarray(off, off + step), emit, ctx)) return false;
        off += step;
      }
    }
    return decoder.end(emit, ctx) && room() >= 0;
  } finally {
    decoder.dispose();
  }
}

/**
 * One zlib call for a small message, output capped at min(KEEP_BYTES, limit): the decoded bytes, null when
 * the data is corrupt or truncated, 'large' when the output passes the cap (the caller counts the cap as work,
 * and decodes in passes unless the cap is `limit`).
 */
function decodeSmall(coding: number, data: Buffer, limit: number): Buffer | null | 'large' {
  const cap = Math.min(KEEP_BYTES, limit);
  const opts = { maxOutputLength: Math.max(1, cap), finishFlush: zlib.constants.Z_FINISH };
  try {
    const out = coding === CODING_GZIP ? zlib.gunzipSync(data, opts)
      : deflateIsWrapped(data) ? zlib.inflateSync(data, opts) : zlib.inflateRawSync(data, opts);
    return out.length > cap ? 'large' : out;
  } catch (err) {
    return (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'large' : null;
  }
}

function writeHead(body: ByteSink, length: number): void {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(length, 1);
  body.write(head);
}

/**
 * Decodes the message held in `pieces` (`size` bytes in all) and writes it to `body` (prefix with flag 0 and
 * the decoded length, then the decoded bytes): 'ok'. Having written nothing: 'error' when the data is corrupt or
 * truncated, 'cap' when its output passes `limit` bytes. `work` receives the output produced and the passes run.
 */
export function decodeMessage(
  coding: number, pieces: Buffer[], size: number, limit: number, budget: ByteBudget, body: ByteSink, work: DecodeWork,
): 'ok' | 'error' | 'cap' {
  if (size > 1 && size <= KEEP_BYTES) {
    work.passes++;
    const out = decodeSmall(coding, pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, size), limit);
    if (out === null) return 'error';
    if (out !== 'large') {
      work.bytes += out.length;
      writeHead(body, out.length);
      body.write(out);
      return 'ok';
    }
    // the call produced its cap, min(KEEP_BYTES, limit), before it stopped; past `limit` already: no more passes
    work.bytes += Math.min(KEEP_BYTES, limit);
    if (limit <= KEEP_BYTES) return 'cap';
  }
  const c: Count = { length: 0, kept: [], keptBytes: 0, budget };
  const ok = run(coding, pieces, count, c, () => limit - c.length, work);
  work.bytes += c.length;
  if (!ok) {
    dropKept(c);
    return c.length > limit ? 'cap' : 'error';
  }
  writeHead(body, c.length);
  if (c.kept !== null) {
    for (const b of c.kept) body.write(b);
    dropKept(c);
    return 'ok';
  }
  // the same input decodes the same way: c.length bytes; the pass stops once the body keeps no more
  const t: ToBody = { body, written: 0 };
  if (!keepsNoMore(body)) run(coding, pieces, toBody, t, () => (keepsNoMore(body) ? -1 : FEED_BYTES * MAX_RATIO), work);
  work.bytes += t.written;
  countOnly(body, c.length - t.written);
  return 'ok';
}
