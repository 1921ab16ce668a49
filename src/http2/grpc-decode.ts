/**
 * Decodes one complete compressed gRPC message (gzip or deflate, the shared StreamDecoder of
 * src/http/decoder.ts) into the body as a length-prefixed message with flag 0.
 *
 * The prefix carries the decoded length, known only once the message is decoded, and the body collector
 * takes bytes in order. So the first pass counts the output and checks the message decodes completely
 * within `maxDecodedBytes`, keeping copies of the output only while it is small (at most KEEP_BYTES,
 * charged to the body budget while kept); a larger output is produced again by a second pass straight into
 * the body. Nothing is written to the body unless the message decodes: the caller then keeps it as sent.
 */
import { StreamDecoder } from '../http/decoder.js';
import type { ByteBudget } from '../http/byte-budget.js';

/** What receives the re-framed bytes (a BodyCollector, which copies what it keeps). */
export interface ByteSink { write(data: Buffer): void }

/** Decoded output kept from the first pass (bytes); above it the message is decoded a second time. */
export const KEEP_BYTES = 64 * 1024;
/** Compressed bytes fed per decoder call: bounds the work done past the decode cap. */
const FEED_BYTES = 16 * 1024;

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

function toBody(out: Buffer, ctx: unknown): void {
  (ctx as ByteSink).write(out);
}

/** Runs `pieces` through a fresh decoder; false when the data is corrupt, truncated, or the output passes `max`. */
function run(coding: number, pieces: Buffer[], emit: (out: Buffer, ctx: unknown) => void, ctx: unknown, over: () => boolean): boolean {
  const decoder = new StreamDecoder(coding);
  try {
    for (const p of pieces) {
      for (let off = 0; off < p.length; off += FEED_BYTES) {
        if (!decoder.write(p.subarray(off, off + FEED_BYTES), emit, ctx) || over()) return false;
      }
    }
    return decoder.end(emit, ctx) && !over();
  } finally {
    decoder.dispose();
  }
}

/**
 * Decodes the message held in `pieces` and writes it to `body` (prefix with flag 0 and the decoded length,
 * then the decoded bytes). Returns false, having written nothing, when it does not decode.
 */
export function decodeMessage(coding: number, pieces: Buffer[], maxDecodedBytes: number, budget: ByteBudget, body: ByteSink): boolean {
  const c: Count = { length: 0, kept: [], keptBytes: 0, budget };
  const ok = run(coding, pieces, count, c, () => c.length > maxDecodedBytes);
  if (!ok) {
    dropKept(c);
    return false;
  }
  const head = Buffer.alloc(5);
  head.writeUInt32BE(c.length, 1);
  body.write(head);
  if (c.kept !== null) {
    for (const b of c.kept) body.write(b);
    dropKept(c);
    return true;
  }
  run(coding, pieces, toBody, body, () => false); // the same input decodes the same way: c.length bytes
  return true;
}
