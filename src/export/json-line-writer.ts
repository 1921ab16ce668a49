/**
 * JsonLineWriter: JSON text written as UTF-8 bytes straight into one reused buffer (the slab), for the
 * JSON Lines encoder (exchange-record.ts). Building a line as a JavaScript string costs a string per piece,
 * a flattening copy of the whole line and a UTF-8 encoding pass into a new Buffer per line; here each piece
 * is written once, in place.
 *
 * Output is byte-identical to Buffer.from(JSON.stringify(value), 'utf8') for what the methods write:
 * str() writes a string that needs no escaping (0x20-0x7F without '"' and '\\') byte by byte, and any
 * other string as JSON.stringify's text encoded to UTF-8. base64() writes the standard base64 of bytes.
 *
 * Two modes, fixed at construction:
 * - with a sink (the --out file): when a piece does not fit, the bytes so far are handed to the sink
 *   (sink.take(slab, n): it must consume them before returning; the slab is then reused) and writing
 *   goes on at the start of the slab. A piece larger than the slab is handed to the sink on its own. So a
 *   line may reach the sink in several parts, always in order, and memory stays at the slab's size.
 * - without a sink (one line at a time into a Buffer, exchangeLine()): the slab grows to hold the line.
 *
 * Call order: any writes, then flush() (sink mode) or takeCopy() (grow mode).
 */
import { loadAddon } from '../capture/native.js';

/** Receives completed bytes; `bytes` is only valid during the call (the writer reuses it). */
export interface ByteSink {
  take(bytes: Buffer, length: number): void;
}

/** Default slab size: 256 KiB, one write per 256 KiB of lines for the file sink. */
export const DEFAULT_SLAB_BYTES = 256 * 1024;
/** Bodies up to this many bytes are encoded in JavaScript; larger ones by the addon (a call costs ~130 ns). */
const JS_BASE64_MAX = 48;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_CODES = Uint8Array.from(B64, (c) => c.charCodeAt(0));
const EQ = 0x3d;
const HEX_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

type Base64Into = (src: Uint8Array, dst: Uint8Array, dstOffset: number) => number;
let base64IntoFn: Base64Into | undefined;

function nativeBase64Into(): Base64Into {
  if (base64IntoFn !== undefined) return base64IntoFn;
  const fn = (loadAddon() as { base64Into?: Base64Into }).base64Into;
  if (typeof fn !== 'function') {
    throw new Error('the native addon predates base64Into (built from an older native/): rebuild it with npm run build:native');
  }
  base64IntoFn = fn;
  return fn;
}

export class JsonLineWriter {
  /** The slab: bytes [0, pos) are written and not yet handed on. */
  buf: Buffer;
  pos = 0;
  private readonly base64Into: Base64Into;

  constructor(private readonly sink: ByteSink | null, private readonly slabBytes = DEFAULT_SLAB_BYTES) {
    this.buf = Buffer.allocUnsafe(slabBytes);
    this.base64Into = nativeBase64Into();
  }

  /**
   * Grow mode: the bytes written so far in a new Buffer the caller owns; the writer starts over empty. A slab
   * grown beyond `keepBytes` (by a large line or batch) is given back for one of the initial size.
   */
  takeCopy(keepBytes: number): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    if (this.buf.length > keepBytes) this.buf = Buffer.allocUnsafe(this.slabBytes);
    return out;
  }

  /** Makes room for `n` more bytes; after it, pos + n <= buf.length unless n exceeds the slab (sink mode). */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.sink !== null) {
      this.flush();
      return;
    }
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** Hands the bytes written so far to the sink (sink mode). */
  flush(): void {
    if (this.pos === 0 || this.sink === null) return;
    const n = this.pos;
    this.pos = 0;
    this.sink.take(this.buf, n);
  }

  /** Writes `s`, which the caller knows is ASCII that JSON keeps as it is (punctuation, names, digits). */
  raw(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) {
      this.room(n);
      if (this.pos + n > this.buf.length) return this.bytes(Buffer.from(s, 'latin1'));
    }
    const buf = this.buf;
    let o = this.pos;
    for (let i = 0; i < n; i++) buf[o++] = s.charCodeAt(i);
    this.pos = o;
  }

  /** Writes a finite number as JSON does (String(n)). */
  num(n: number): void {
    this.raw(String(n));
  }

  /** Writes `s` as a JSON string (quotes included), as JSON.stringify(s) encoded to UTF-8. */
  str(s: string): void {
    const n = s.length;
    if (this.pos + n + 2 > this.buf.length) this.room(n + 2);
    const o = this.pos + n + 2 <= this.buf.length ? this.quoted(s, this.pos) : -1;
    if (o < 0) this.strEncoded(s);
    else this.pos = o;
  }

  /**
   * Writes `[a,b]` (two JSON strings; a header field), preceded by ',' unless `first`: str() for both in
   * one step when they need no escaping and fit.
   */
  pair(first: boolean, a: string, b: string): void {
    if (this.pos + a.length + b.length + 8 <= this.buf.length) {
      const buf = this.buf;
      let o = this.pos;
      if (!first) buf[o++] = 0x2c;
      buf[o++] = 0x5b;
      o = this.quoted(a, o);
      if (o >= 0) {
        buf[o++] = 0x2c;
        o = this.quoted(b, o);
        if (o >= 0) {
          buf[o++] = 0x5d;
          this.pos = o;
          return;
        }
      }
    }
    this.raw(first ? '[' : ',[');
    this.str(a);
    this.raw(',');
    this.str(b);
    this.raw(']');
  }

  /**
   * `s` between quotes at buf[o...] when every character is in 0x20-0x7F other than '"' and '\\' (the
   * text JSON keeps as it is); returns the offset after it, or -1 (nothing usable written) otherwise. The
   * caller has made room for s.length + 2 bytes.
   */
  private quoted(s: string, o: number): number {
    const buf = this.buf;
    const n = s.length;
    buf[o++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7f) return -1;
      buf[o++] = c;
    }
    buf[o++] = 0x22;
    return o;
  }

  /** JSON.stringify(s) or null. */
  strOrNull(s: string | null): void {
    if (s === null) this.raw('null');
    else this.str(s);
  }

  /** The general case of str(): JSON.stringify's text, UTF-8 encoded. */
  private strEncoded(s: string): void {
    const text = JSON.stringify(s);
    this.bytes(Buffer.from(text, 'utf8'));
  }

  /** Writes `b` as it is: JSON text already encoded to UTF-8 (made once, written many times). */
  json(b: Buffer): void {
    this.bytes(b);
  }

  /** Writes bytes[start, end) as lower-case hexadecimal digits (no quotes). */
  hex(bytes: Uint8Array, start: number, end: number): void {
    for (let from = start; from < end;) {
      // in sink mode at most half a slab at a time (two digits per byte)
      const to = Math.min(end, from + Math.max(1, this.sink === null ? end - from : this.buf.length >> 1));
      const n = (to - from) * 2;
      if (this.pos + n > this.buf.length) this.room(n);
      const buf = this.buf;
      let o = this.pos;
      for (let i = from; i < to; i++) {
        const b = bytes[i]!;
        buf[o++] = HEX_CODES[b >> 4]!;
        buf[o++] = HEX_CODES[b & 15]!;
      }
      this.pos = o;
      from = to;
    }
  }

  /** Writes `b` as it is (already UTF-8 JSON text). */
  private bytes(b: Buffer): void {
    this.room(b.length);
    if (this.pos + b.length > this.buf.length) {
      // only in sink mode, after room() flushed: larger than the slab, handed on by itself
      this.sink!.take(b, b.length);
      return;
    }
    this.pos += b.copy(this.buf, this.pos);
  }

  /** Writes the standard base64 text (with '=' padding, no quotes) of `bytes`. */
  base64(bytes: Uint8Array): void {
    const n = bytes.length;
    const out = Math.ceil(n / 3) * 4;
    if (this.pos + out > this.buf.length) this.room(out);
    if (this.pos + out <= this.buf.length) {
      if (n <= JS_BASE64_MAX) this.base64Js(bytes, 0, n);
      else this.pos += this.base64Into(bytes, this.buf, this.pos);
      return;
    }
    // sink mode, larger than the slab: slab-sized parts whose input lengths are multiples of 3, so the
    // parts' texts join into the text of the whole (padding only at the end)
    const step = Math.floor(this.buf.length / 4) * 3;
    for (let s = 0; s < n; s += step) {
      const part = bytes.subarray(s, Math.min(n, s + step));
      this.room(Math.ceil(part.length / 3) * 4);
      this.pos += this.base64Into(part, this.buf, this.pos);
    }
  }

  /** Base64 of bytes[start, end) in JavaScript (small bodies: cheaper than a call into the addon). */
  private base64Js(bytes: Uint8Array, start: number, end: number): void {
    const buf = this.buf;
    let o = this.pos;
    let i = start;
    for (; i + 3 <= end; i += 3) {
      const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
      buf[o++] = B64_CODES[v >> 18]!;
      buf[o++] = B64_CODES[(v >> 12) & 63]!;
      buf[o++] = B64_CODES[(v >> 6) & 63]!;
      buf[o++] = B64_CODES[v & 63]!;
    }
    const rest = end - i;
    if (rest > 0) {
      const v = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
      buf[o++] = B64_CODES[v >> 18]!;
      buf[o++] = B64_CODES[(v >> 12) & 63]!;
      buf[o++] = rest === 2 ? B64_CODES[(v >> 6) & 63]! : EQ;
      buf[o++] = EQ;
    }
    this.pos = o;
  }
}
