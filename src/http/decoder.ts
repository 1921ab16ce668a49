/**
 * Synchronous streaming decoder for Content-Encoding gzip / deflate (zlib-wrapped or raw) / br, built on
 * Node's zlib engines. Node offers no public synchronous streaming call: `_processChunk(chunk, flush)`
 * without a callback is what zlib.gunzipSync uses, and it closes the engine after one call. We keep the
 * native handle alive across calls by restoring it afterwards (Node 20 internals; covered by tests).
 *
 * Layers: a list of codings (`deflate, gzip`) is decoded by one engine per coding, the last applied first,
 * each feeding the next (codingOf packs the list into a number). Concatenated gzip members are decoded by
 * Node's gunzip itself. end() flushes with the finish flag: an incomplete stream (truncated data) is told apart
 * from a complete one, after what it held was emitted. A failure loses the output of the slice that failed.
 *
 * Memory: input is fed in slices of INPUT_SLICE bytes and each call may produce at most
 * PER_CALL_OUTPUT_CAP bytes (deflate expands at most ~1032:1, so only a pathological brotli stream hits it;
 * that is reported as the decode cap). Output buffers may be views of the engine's reused output buffer:
 * the caller copies what it keeps before the next write.
 */
import zlib from 'node:zlib';
import { QUIRK_CE_LIST } from './quirks.js';

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

/** Most codings applied one over the other that are decoded (`gzip, gzip`); more is unsupported. */
export const MAX_CODING_LAYERS = 4;

function singleCoding(name: string): number {
  switch (name) {
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

/**
 * Maps a lower-cased Content-Encoding value to a coding: 0 identity, -1 unsupported, else the CODING_* value
 * of the one coding, or for a list (`deflate, gzip`) the codings packed 2 bits each in decoding order (the
 * last listed, applied last by the sender, in the lowest bits). List items are trimmed; empty items and
 * `identity` are skipped (as Chromium does); an item with parameters (`gzip;x`) or an unknown name makes
 * the whole value unsupported (no client decodes it: Chromium and Node hand such bodies on raw).
 */
export function codingOf(contentEncoding: string | null): number {
  if (contentEncoding === null || contentEncoding === '' || contentEncoding === 'identity') return 0;
  const one = singleCoding(contentEncoding);
  if (one > 0 || contentEncoding.indexOf(',') === -1) return one;
  const items = contentEncoding.split(',');
  let packed = 0;
  let layers = 0;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!.trim();
    if (item === '' || item === 'identity') continue;
    const c = singleCoding(item);
    if (c < 0 || layers === MAX_CODING_LAYERS) return -1;
    packed |= c << (2 * layers++);
  }
  return packed;
}

/** Quirk bits (quirks.ts) of a lower-cased Content-Encoding value: empty list items. */
export function contentEncodingQuirks(contentEncoding: string): number {
  if (contentEncoding.indexOf(',') === -1) return 0;
  const items = contentEncoding.split(',');
  for (let i = 0; i < items.length; i++) if (items[i]!.trim() === '') return QUIRK_CE_LIST;
  return 0;
}

const NAMES = ['', 'gzip', 'deflate', 'br'];

/** The decoded coding as reported (`gzip`; a list as sent in order, `deflate, gzip`), or null for identity. */
export function codingName(coding: number): string | null {
  if (coding <= 0) return null;
  if (coding < 4) return NAMES[coding]!;
  let name = '';
  for (let c = coding; c !== 0; c >>= 2) name = name === '' ? NAMES[c & 3]! : `${NAMES[c & 3]!}, ${name}`;
  return name;
}

function noop(): void {}

/**
 * Deflate: RFC 9110 says zlib-wrapped, but servers often send raw deflate. Wrapped when the first two bytes
 * (at least two) are a zlib header (CM 8, check bits).
 */
export function deflateIsWrapped(head: Buffer): boolean {
  const cmf = head[0]!;
  return (cmf & 0x0f) === 8 && ((cmf << 8) | head[1]!) % 31 === 0;
}

type Emit = (out: Buffer, ctx: unknown) => void;

/** One coding's engine (one layer of a StreamDecoder). */
class Layer {
  private engine: SyncEngine | null = null;
  private readonly coding: number;
  private flush = 0;
  private finishFlag = 0;
  /** Deflate only: first byte held until the second decides zlib-wrapped vs raw. */
  private held: Buffer | null = null;
  /** Some input was given (an empty stream is not checked for completeness). */
  private fed = false;
  failure: 'error' | 'cap' | null = null;

  constructor(coding: number) {
    this.coding = coding;
    if (coding === CODING_GZIP) this.start(zlib.createGunzip(opts()), zlib.constants.Z_SYNC_FLUSH, zlib.constants.Z_FINISH);
    else if (coding === CODING_BR) {
      this.start(
        zlib.createBrotliDecompress({ maxOutputLength: PER_CALL_OUTPUT_CAP }) as unknown as SyncEngine,
        zlib.constants.BROTLI_OPERATION_FLUSH,
        zlib.constants.BROTLI_OPERATION_FINISH,
      );
    }
  }

  private start(engine: unknown, flush: number, finish: number): void {
    this.engine = engine as SyncEngine;
    this.engine.on('error', noop);
    this.flush = flush;
    this.finishFlag = finish;
  }

  write(data: Buffer, emit: Emit, ctx: unknown): boolean {
    if (this.failure !== null) return false;
    if (data.length > 0) this.fed = true;
    if (this.engine === null) {
      // Deflate: zlib-wrapped or raw, decided on the header (deflateIsWrapped).
      const head = this.held === null ? data : Buffer.concat([this.held, data]);
      if (head.length < 2) {
        // one byte, kept across calls: its own allocation, so it pins no pool slab
        const one = Buffer.allocUnsafeSlow(head.length);
        head.copy(one);
        this.held = one;
        return true;
      }
      this.held = null;
      const f = zlib.constants;
      this.start(deflateIsWrapped(head) ? zlib.createInflate(opts()) : zlib.createInflateRaw(opts()), f.Z_SYNC_FLUSH, f.Z_FINISH);
      data = head;
    }
    for (let off = 0; off < data.length; off += INPUT_SLICE) {
      const out = this.process(data.subarray(off, Math.min(off + INPUT_SLICE, data.length)), this.flush);
      if (out === null) return false;
      if (out.length > 0) emit(out, ctx);
    }
    return true;
  }

  /** The input ended: true when the compressed stream was complete, false when truncated or failed. */
  end(emit: Emit, ctx: unknown): boolean {
    if (this.failure !== null) return false;
    if (!this.fed) return true;
    if (this.engine === null) return false; // one deflate byte: not a stream
    const out = this.process(EMPTY, this.finishFlag);
    if (out === null) return false;
    if (out.length > 0) emit(out, ctx);
    return true;
  }

  private process(slice: Buffer, flush: number): Buffer | null {
    const engine = this.engine as SyncEngine;
    const handle = engine._handle;
    if (handle === null) {
      this.failure = 'error';
      return null;
    }
    const close = handle.close;
    handle.close = noop;
    try {
      return engine._processChunk(slice, flush);
    } catch (err) {
      this.failure = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'cap' : 'error';
      return null;
    } finally {
      handle.close = close;
      engine._handle = handle;
      // Each sync call adds an 'error' listener it never removes; drop it (ours, added first, stays:
      // after a failure the engine also emits 'error' asynchronously, which must find a listener).
      const ls = engine.listeners('error');
      if (ls.length > 1) engine.removeListener('error', ls[ls.length - 1]!);
    }
  }

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

const EMPTY = Buffer.alloc(0);

function opts(): zlib.ZlibOptions {
  return { maxOutputLength: PER_CALL_OUTPUT_CAP };
}

/** Carries one layer's output into the next layer (multi-coding bodies only). */
interface Relay { decoder: StreamDecoder; layer: number; emit: Emit; ctx: unknown }

function relay(out: Buffer, ctx: unknown): void {
  const r = ctx as Relay;
  r.decoder.feed(r.layer, out, r.emit, r.ctx);
}

/**
 * Decodes a body's Content-Encoding: one layer per coding (codingOf's packing), the last applied decoded
 * first. Outcome of a write: decoded output (possibly empty), or false once a layer failed or hit its cap.
 */
export class StreamDecoder {
  private readonly layers: Layer[] = [];
  /** relays[i - 1] carries into layer i (i >= 1); made once, its emit / ctx set per call. */
  private readonly relays: Relay[] = [];
  /** 'error' (corrupt data) or 'cap' (PER_CALL_OUTPUT_CAP hit) once failed. */
  failure: 'error' | 'cap' | null = null;

  constructor(coding: number) {
    for (let c = coding; c !== 0; c >>= 2) this.layers.push(new Layer(c & 3));
    for (let i = 1; i < this.layers.length; i++) this.relays.push({ decoder: this, layer: i, emit: noop, ctx: null });
  }

  /** The relay into layer i, carrying the final emit / ctx. */
  private relayInto(i: number, emit: Emit, ctx: unknown): Relay {
    const r = this.relays[i - 1]!;
    r.emit = emit;
    r.ctx = ctx;
    return r;
  }

  /** Decodes `data` (a view, not kept). Calls `emit(out)` per output piece; returns false once failed. */
  write(data: Buffer, emit: Emit, ctx: unknown): boolean {
    return this.feed(0, data, emit, ctx);
  }

  /** Feeds layer `i`; its output goes to layer i + 1, the last layer's to `emit`. */
  feed(i: number, data: Buffer, emit: Emit, ctx: unknown): boolean {
    if (this.failure !== null) return false;
    const layer = this.layers[i]!;
    const last = i === this.layers.length - 1;
    const ok = last ? layer.write(data, emit, ctx) : layer.write(data, relay, this.relayInto(i + 1, emit, ctx));
    if (!ok && this.failure === null) this.failure = layer.failure ?? 'error';
    return this.failure === null;
  }

  /**
   * The body ended: flushes every layer in order. True when each compressed stream was complete; false when
   * one was truncated (what it held is emitted first) or a layer failed.
   */
  end(emit: Emit, ctx: unknown): boolean {
    for (let i = 0; i < this.layers.length; i++) {
      if (this.failure !== null) return false;
      const last = i === this.layers.length - 1;
      const layer = this.layers[i]!;
      if (!(last ? layer.end(emit, ctx) : layer.end(relay, this.relayInto(i + 1, emit, ctx)))) {
        if (layer.failure === 'cap') this.failure = 'cap';
        return false;
      }
    }
    return this.failure === null;
  }

  /** Releases the native engines. Idempotent. */
  dispose(): void {
    for (let i = 0; i < this.layers.length; i++) this.layers[i]!.dispose();
  }
}
