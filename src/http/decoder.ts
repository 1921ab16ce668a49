/**
 * Synchronous streaming decoder for Content-Encoding gzip / deflate (zlib-wrapped or raw) / br, built on
 * Node's zlib engines. Node offers no public synchronous streaming call: `_processChunk(chunk, flush)`
 * without a callback is what zlib.gunzipSync uses, and it closes the engine after one call. We keep the
 * native handle alive across calls by restoring it afterwards (Node 20 internals; covered by tests).
 *
 * Memory: input is fed in slices of INPUT_SLICE bytes and each call may produce at most
 * PER_CALL_OUTPUT_CAP bytes (deflate expands at most ~1032:1, so only a pathological brotli stream hits it;
 * that is reported as the decode cap). Output buffers may be views of the engine's reused output buffer:
 * the caller copies what it keeps before the next write.
 */
import zlib from 'node:zlib';

export const CODING_GZIP = 1;
export const CODING_DEFLATE = 2;
export const CODING_BR = 3;

const INPUT_SLICE = 4096;
const PER_CALL_OUTPUT_CAP = 8 * 1024 * 1024;

interface SyncEngine {
  _handle: { close: () => void } | null;
  _processChunk(chunk: Buffer, flushFlag: number): Buffer;
  close(): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
  listeners(event: string): Array<(...args: unknown[]) => void>;
  removeListener(event: string, fn: (...args: unknown[]) => void): void;
}

/** Maps a lower-cased Content-Encoding value to a coding, or 0 (identity) / -1 (unsupported). */
export function codingOf(contentEncoding: string | null): number {
  if (contentEncoding === null || contentEncoding === '' || contentEncoding === 'identity') return 0;
  switch (contentEncoding) {
    case 'gzip':
    case 'x-gzip':
      return CODING_GZIP;
    case 'deflate':
      return CODING_DEFLATE;
    case 'br':
      return CODING_BR;
    default:
      return -1;
  }
}

export function codingName(coding: number): string | null {
  return coding === CODING_GZIP ? 'gzip' : coding === CODING_DEFLATE ? 'deflate' : coding === CODING_BR ? 'br' : null;
}

function noop(): void {}

/** Outcome of a write: decoded output (possibly empty), or null when decoding failed or hit its cap. */
export class StreamDecoder {
  private engine: SyncEngine | null = null;
  private readonly coding: number;
  private flush = 0;
  /** Deflate only: first byte held until the second decides zlib-wrapped vs raw. */
  private held: Buffer | null = null;
  /** 'error' (corrupt data) or 'cap' (PER_CALL_OUTPUT_CAP hit) once failed. */
  failure: 'error' | 'cap' | null = null;

  constructor(coding: number) {
    this.coding = coding;
    if (coding === CODING_GZIP) this.start(zlib.createGunzip(this.opts()), zlib.constants.Z_SYNC_FLUSH);
    else if (coding === CODING_BR) {
      this.start(
        zlib.createBrotliDecompress({ maxOutputLength: PER_CALL_OUTPUT_CAP }) as unknown as SyncEngine,
        zlib.constants.BROTLI_OPERATION_FLUSH,
      );
    }
  }

  private opts(): zlib.ZlibOptions {
    return { maxOutputLength: PER_CALL_OUTPUT_CAP };
  }

  private start(engine: unknown, flush: number): void {
    this.engine = engine as SyncEngine;
    this.engine.on('error', noop);
    this.flush = flush;
  }

  /** Decodes `data` (a view, not kept). Calls `emit(out)` per output piece; returns false once failed. */
  write(data: Buffer, emit: (out: Buffer, ctx: unknown) => void, ctx: unknown): boolean {
    if (this.failure !== null) return false;
    if (this.engine === null) {
      // Deflate: RFC 9110 says zlib-wrapped, but servers often send raw deflate. Decide on the header.
      const head = this.held === null ? data : Buffer.concat([this.held, data]);
      if (head.length < 2) {
        // one byte, kept across calls: its own allocation, so it pins no pool slab
        const one = Buffer.allocUnsafeSlow(head.length);
        head.copy(one);
        this.held = one;
        return true;
      }
      this.held = null;
      const cmf = head[0];
      const wrapped = (cmf & 0x0f) === 8 && ((cmf << 8) | head[1]) % 31 === 0;
      this.start(wrapped ? zlib.createInflate(this.opts()) : zlib.createInflateRaw(this.opts()), zlib.constants.Z_SYNC_FLUSH);
      data = head;
    }
    for (let off = 0; off < data.length; off += INPUT_SLICE) {
      const out = this.process(data.subarray(off, Math.min(off + INPUT_SLICE, data.length)));
      if (out === null) return false;
      if (out.length > 0) emit(out, ctx);
    }
    return true;
  }

  private process(slice: Buffer): Buffer | null {
    const engine = this.engine as SyncEngine;
    const handle = engine._handle;
    if (handle === null) {
      this.failure = 'error';
      return null;
    }
    const close = handle.close;
    handle.close = noop;
    try {
      return engine._processChunk(slice, this.flush);
    } catch (err) {
      this.failure = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'cap' : 'error';
      return null;
    } finally {
      handle.close = close;
      engine._handle = handle;
      // Each sync call adds an 'error' listener it never removes; drop it (ours, added first, stays:
      // after a failure the engine also emits 'error' asynchronously, which must find a listener).
      const ls = engine.listeners('error');
      if (ls.length > 1) engine.removeListener('error', ls[ls.length - 1]);
    }
  }

  /** Releases the native engine. Idempotent. */
  dispose(): void {
    const engine = this.engine;
    this.engine = null;
    this.held = null;
    if (engine === null) return;
    try {
      engine.close();
    } catch {
      // already closed
    }
  }
}
