/**
 * HPACK header block decoder (RFC 7541), one per direction of a connection: the dynamic table is the
 * state that the blocks of one direction share, so blocks must be decoded in the order sent.
 *
 * Caps (docs/http2.md): the dynamic table never exceeds `tableCap` bytes (entry size = name + value + 32,
 * RFC 7541 §4.1) whatever size update the peer sends (an update above the cap is clamped and counted by
 * the caller from `clamped`); a block's decoded header list is kept up to `listCap` bytes (names + values),
 * the rest is decoded (the table must follow) but not kept (`overList`).
 *
 * Late join: a capture that starts mid-connection has an empty table. A reference to a dynamic entry
 * that is unknown does not stop the block: the field is skipped (`unknownIndex`), an inserted entry
 * whose name is unknown enters the table as `?` so later indices stay aligned, and decoding goes on.
 * Malformed input (bad integer, truncated string, bad Huffman) ends the block (`error`).
 */
import { huffmanDecode } from './huffman.js';
import { STATIC_TABLE } from './hpack-static.js';

export interface DecodedBlock {
  /** Flat [name, value, ...] in the order sent (kept up to the list cap). */
  fields: string[];
  /** Malformed block: decoding stopped here ('integer', 'string', 'huffman', 'index'). */
  error: string | null;
  /** Fields referring to dynamic entries this decoder does not have (joined late, or after a lost block). */
  unknownIndex: number;
  /** Fields decoded but not kept: the list cap was reached. */
  overList: boolean;
}

const ENTRY_OVERHEAD = 32;
/** Integers above this are malformed for our purposes (no table, string or index is this large). */
const MAX_INT = 0x0fffffff;

export class HpackDecoder {
  /** Dynamic table, newest last (dynamic index 1 is the last element). */
  private names: string[] = [];
  private values: string[] = [];
  private sizes: number[] = [];
  private size = 0;
  /** Current maximum table size (protocol default 4096, then size updates, never above the cap). */
  private max: number;
  /** Size updates above the cap seen (clamped). */
  clamped = 0;
  private pos = 0;
  private buf: Buffer = Buffer.alloc(0);
  private end = 0;

  constructor(private readonly tableCap: number) {
    this.max = Math.min(4096, tableCap);
  }

  /** Bytes the dynamic table holds (entry sizes as RFC 7541 counts them). */
  get tableBytes(): number {
    return this.size;
  }

  /** Entries in the dynamic table. */
  get tableEntries(): number {
    return this.names.length;
  }

  decode(block: Buffer, listCap: number): DecodedBlock {
    this.buf = block;
    this.pos = 0;
    this.end = block.length;
    const out: DecodedBlock = { fields: [], error: null, unknownIndex: 0, overList: false };
    let kept = 0;
    while (this.pos < this.end) {
      const b = block[this.pos];
      let name: string | null;
      let value: string | null;
      if (b & 0x80) { // indexed field (§6.1)
        const idx = this.int(7);
        if (idx < 0) return fail(out, 'integer');
        if (idx === 0) return fail(out, 'index');
        const e = this.entry(idx);
        if (e === null) {
          out.unknownIndex++;
          continue;
        }
        name = e[0];
        value = e[1];
      } else if ((b & 0xe0) === 0x20) { // dynamic table size update (§6.3)
        const n = this.int(5);
        if (n < 0) return fail(out, 'integer');
        if (n > this.tableCap) this.clamped++;
        this.max = Math.min(n, this.tableCap);
        this.evict(0);
        continue;
      } else { // literal: with incremental indexing (01), without (0000), never indexed (0001)
        const incremental = (b & 0xc0) === 0x40;
        const idx = this.int(incremental ? 6 : 4);
        if (idx < 0) return fail(out, 'integer');
        name = null;
        if (idx === 0) {
          name = this.str();
          if (name === null) return fail(out, 'string');
        } else {
          const e = this.entry(idx);
          if (e === null) out.unknownIndex++;
          else name = e[0];
        }
        value = this.str();
        if (value === null) return fail(out, 'string');
        if (incremental) this.insert(name ?? '?', value);
        if (name === null) continue;
      }
      kept += name.length + value.length;
      if (kept > listCap) out.overList = true;
      else out.fields.push(name, value);
    }
    return out;
  }

  /** [name, value] of a static (1..61) or dynamic (62..) index; null when the dynamic entry is unknown. */
  private entry(idx: number): readonly [string, string] | null {
    if (idx < STATIC_TABLE.length) return STATIC_TABLE[idx];
    const d = idx - STATIC_TABLE.length; // 0: newest
    const at = this.names.length - 1 - d;
    if (at < 0) return null;
    return [this.names[at], this.values[at]];
  }

  private insert(name: string, value: string): void {
    const sz = name.length + value.length + ENTRY_OVERHEAD;
    if (sz > this.max) { // §4.4: an entry larger than the table empties it
      this.names = [];
      this.values = [];
      this.sizes = [];
      this.size = 0;
      return;
    }
    this.evict(sz);
    this.names.push(name);
    this.values.push(value);
    this.sizes.push(sz);
    this.size += sz;
  }

  /** Evicts the oldest entries until `room` more bytes fit. */
  private evict(room: number): void {
    let drop = 0;
    while (this.size + room > this.max && drop < this.sizes.length) this.size -= this.sizes[drop++];
    if (drop > 0) {
      this.names.splice(0, drop);
      this.values.splice(0, drop);
      this.sizes.splice(0, drop);
    }
  }

  /** An integer with an N-bit prefix (§5.1); -1 when truncated or too large. */
  private int(prefix: number): number {
    if (this.pos >= this.end) return -1;
    const mask = (1 << prefix) - 1;
    let v = this.buf[this.pos++] & mask;
    if (v < mask) return v;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) return -1;
      const b = this.buf[this.pos++];
      v += (b & 0x7f) * 2 ** shift;
      if (v > MAX_INT) return -1;
      if ((b & 0x80) === 0) return v;
      shift += 7;
    }
  }

  /** A string literal (§5.2), Huffman-coded or raw, as latin1 (bytes kept 1:1); null when malformed. */
  private str(): string | null {
    if (this.pos >= this.end) return null;
    const huff = (this.buf[this.pos] & 0x80) !== 0;
    const len = this.int(7);
    if (len < 0 || this.pos + len > this.end) return null;
    const from = this.pos;
    this.pos += len;
    if (!huff) return this.buf.toString('latin1', from, from + len);
    const raw = huffmanDecode(this.buf, from, from + len);
    return raw === null ? null : raw.toString('latin1');
  }
}

function fail(out: DecodedBlock, reason: string): DecodedBlock {
  out.error = reason;
  return out;
}
