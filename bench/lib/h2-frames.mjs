// HTTP/2 wire bytes for synthetic captures, the one place they are built: the benchmark's h2c capture
// (h2-messages.mjs), the HTTP/2 process tests (test/http2/h2-capture.ts, hostile-h2.test.ts) and the robustness
// runs (test/robustness/h2-synth.ts). Frames (RFC 9113 §4.1, §6), header blocks split into HEADERS +
// CONTINUATION, gRPC length-prefixed messages, and two HPACK encoders (RFC 7541):
//  - hpack(fields): static-table indices and literals without indexing, no Huffman coding, so no block
//    depends on another and any stream can be cut out of a capture on its own;
//  - HpackEncoder: a stateful encoder with the dynamic table (literals with incremental indexing, indexed
//    fields found in the table, size updates) and Huffman-coded strings, as real peers send them.
// The Huffman code and the static table are the sensor's (src/http2/huffman.ts, hpack-static.ts), which
// test/http2/hpack.test.ts checks against RFC 7541 Appendices A-C. Needs the TypeScript loader (as `npm run bench`).
import { huffmanCode } from '../../src/http2/huffman.js';
import { STATIC_TABLE } from '../../src/http2/hpack-static.js';

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
export const DATA = 0x0, HEADERS = 0x1, PRIORITY = 0x2, RST_STREAM = 0x3, SETTINGS = 0x4, PUSH_PROMISE = 0x5,
  PING = 0x6, GOAWAY = 0x7, WINDOW_UPDATE = 0x8, CONTINUATION = 0x9;
export const END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4, PADDED = 0x8;
/** A request header block: :method GET, :scheme http, :path /, :authority www.example.com (RFC 7541 C.4.1, Huffman-coded). */
export const EXAMPLE_GET_BLOCK = Buffer.from('828684418cf1e3c2e5f23a6ba0ab90f4ff', 'hex');
/** The default SETTINGS_MAX_FRAME_SIZE. */
export const MAX_FRAME = 16384;

/**
 * One frame. `length` overrides the length field (a lie about the payload, for hostile input).
 * @param {number} type @param {number} flags @param {number} sid @param {Buffer} payload @param {number} [length]
 * @returns {Buffer}
 */
export function frame(type, flags, sid, payload, length = payload.length) {
  const h = Buffer.alloc(9);
  h.writeUIntBE(length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(sid >>> 0, 5);
  return Buffer.concat([h, payload]);
}

/**
 * A header block as HEADERS then CONTINUATION frames of at most `maxFragment` bytes of block each.
 * @param {number} sid @param {Buffer} block
 * @param {{endStream?: boolean, maxFragment?: number}} [o]
 * @returns {Buffer}
 */
export function headerFrames(sid, block, o = {}) {
  const max = o.maxFragment ?? MAX_FRAME;
  const parts = [];
  for (let off = 0; off < block.length || off === 0; off += max) {
    const last = off + max >= block.length;
    const flags = (last ? END_HEADERS : 0) | (off === 0 && o.endStream ? END_STREAM : 0);
    parts.push(frame(off === 0 ? HEADERS : CONTINUATION, flags, sid, block.subarray(off, off + max)));
    if (last) break;
  }
  return Buffer.concat(parts);
}

/**
 * DATA frames of at most `maxFrame` bytes carrying `body` (one empty frame for an empty body); END_STREAM on
 * the last when `end`.
 * @param {number} sid @param {Buffer} body @param {boolean} end @param {number} [maxFrame]
 * @returns {Buffer[]}
 */
export function dataFrames(sid, body, end, maxFrame = MAX_FRAME) {
  const parts = [];
  for (let off = 0; off < body.length || off === 0; off += maxFrame) {
    const last = off + maxFrame >= body.length;
    parts.push(frame(DATA, last && end ? END_STREAM : 0, sid, body.subarray(off, off + maxFrame)));
    if (last) break;
  }
  return parts;
}

/** @param {Array<[number, number]>} pairs  [identifier, value] @param {boolean} [ack] @returns {Buffer} */
export function settings(pairs, ack = false) {
  const b = Buffer.alloc(6 * pairs.length);
  pairs.forEach(([id, v], i) => { b.writeUInt16BE(id, 6 * i); b.writeUInt32BE(v, 6 * i + 2); });
  return frame(SETTINGS, ack ? ACK : 0, 0, b);
}

/** @param {number} sid @param {number} code @returns {Buffer} */
export const rstStream = (sid, code) => frame(RST_STREAM, 0, sid, u32(code));
/** @param {number} lastStream @param {number} code @returns {Buffer} */
export const goaway = (lastStream, code) => frame(GOAWAY, 0, 0, Buffer.concat([u32(lastStream), u32(code)]));
/** @param {number} sid @param {number} n @returns {Buffer} */
export const windowUpdate = (sid, n) => frame(WINDOW_UPDATE, 0, sid, u32(n));
/** @param {boolean} ack @returns {Buffer} */
export const ping = (ack) => frame(PING, ack ? ACK : 0, 0, Buffer.from('pingpong'));

/** @param {number} v @returns {Buffer} */
function u32(v) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}

/**
 * gRPC length-prefixed messages: [compressed flag, message] pairs, or messages (flag 0).
 * @param {Array<Buffer | [number, Buffer]>} msgs
 * @returns {Buffer}
 */
export function grpcMessages(msgs) {
  return Buffer.concat(msgs.flatMap((m) => {
    const [flag, body] = Buffer.isBuffer(m) ? [0, m] : m;
    const h = Buffer.alloc(5);
    h[0] = flag;
    h.writeUInt32BE(body.length, 1);
    return [h, body];
  }));
}

// ---- HPACK ----

/** HPACK integer with an N-bit prefix (RFC 7541 §5.1), the prefix's high bits `first`. */
function int(out, first, n, v) {
  const max = (1 << n) - 1;
  if (v < max) { out.push(first | v); return; }
  out.push(first | max);
  v -= max;
  while (v >= 128) { out.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
  out.push(v);
}

/** A string literal (§5.2), Huffman-coded when `huffman`. */
function str(out, s, huffman = false) {
  const b = Buffer.from(s, 'latin1');
  if (!huffman) {
    int(out, 0, 7, b.length);
    for (const x of b) out.push(x);
    return;
  }
  const coded = [];
  let acc = 0, bits = 0; // acc holds `bits` pending bits (at most 37: a safe integer)
  for (const x of b) {
    const { code, bits: n } = huffmanCode(x);
    acc = acc * 2 ** n + code;
    bits += n;
    while (bits >= 8) {
      bits -= 8;
      const byte = Math.floor(acc / 2 ** bits);
      coded.push(byte);
      acc -= byte * 2 ** bits;
    }
  }
  if (bits > 0) coded.push(acc * 2 ** (8 - bits) + (2 ** (8 - bits) - 1)); // padded with the EOS prefix (ones)
  int(out, 0x80, 7, coded.length);
  out.push(...coded);
}

/**
 * One header block: each field is a static index (number: indexed field), [index, value] (literal
 * without indexing, indexed name) or [name, value] (literal without indexing, literal name).
 * @param {Array<number | Array<number | string>>} fields  number, [index, value] or [name, value]
 * @returns {Buffer}
 */
export function hpack(fields) {
  const out = [];
  for (const f of fields) {
    if (typeof f === 'number') int(out, 0x80, 7, f);
    else if (typeof f[0] === 'number') { int(out, 0x00, 4, f[0]); str(out, String(f[1])); }
    else { out.push(0x00); str(out, f[0]); str(out, String(f[1])); }
  }
  return Buffer.from(out);
}

/**
 * A stateful HPACK encoder for one direction of a connection: the blocks must be sent in the order encoded.
 * `index`: fields not in a table are sent as literals with incremental indexing (and found in the dynamic
 * table later), except names in `neverIndex`; `huffman`: strings are Huffman-coded.
 */
export class HpackEncoder {
  /**
   * @param {{index?: boolean, huffman?: boolean, neverIndex?: string[]}} [o]
   */
  constructor(o = {}) {
    this.index = o.index ?? true;
    this.huffman = o.huffman ?? true;
    this.neverIndex = new Set(o.neverIndex ?? ['authorization', 'cookie']);
    /** @type {Array<[string, string]>} newest first (dynamic index 62 is entry 0) */
    this.table = [];
    this.size = 0;
    this.max = 4096;
    /** @type {number | null} */
    this.update = null;
  }

  /** A dynamic table size update at the start of the next block (and the new maximum). @param {number} n */
  sizeUpdate(n) {
    this.update = n;
    this.max = n;
    this.evict(0);
  }

  /** @param {Array<[string, string]>} fields @returns {Buffer} */
  encode(fields) {
    const out = [];
    if (this.update !== null) { int(out, 0x20, 5, this.update); this.update = null; }
    for (const [name, value] of fields) {
      const full = this.find(name, value);
      if (full > 0) { int(out, 0x80, 7, full); continue; }
      const nameIdx = this.find(name, null);
      const never = this.neverIndex.has(name);
      if (this.index && !never) int(out, 0x40, 6, nameIdx);
      else int(out, never ? 0x10 : 0x00, 4, nameIdx);
      if (nameIdx === 0) str(out, name, this.huffman);
      str(out, value, this.huffman);
      if (this.index && !never) this.insert(name, value);
    }
    return Buffer.from(out);
  }

  /** The index of [name, value] (value null: of the name alone) in the static then dynamic table; 0 when absent. */
  find(name, value) {
    for (let i = 1; i < STATIC_TABLE.length; i++) {
      if (STATIC_TABLE[i][0] === name && (value === null || STATIC_TABLE[i][1] === value)) return i;
    }
    const d = this.table.findIndex(([n, v]) => n === name && (value === null || v === value));
    return d < 0 ? 0 : STATIC_TABLE.length + d;
  }

  insert(name, value) {
    const sz = Buffer.byteLength(name, 'latin1') + Buffer.byteLength(value, 'latin1') + 32;
    if (sz > this.max) { this.table = []; this.size = 0; return; }
    this.evict(sz);
    this.table.unshift([name, value]);
    this.size += sz;
  }

  evict(room) {
    while (this.size + room > this.max && this.table.length > 0) {
      const [n, v] = /** @type {[string, string]} */ (this.table.pop());
      this.size -= Buffer.byteLength(n, 'latin1') + Buffer.byteLength(v, 'latin1') + 32;
    }
  }
}
