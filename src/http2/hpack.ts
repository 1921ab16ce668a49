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
import { huffmanString } from './huffman.js';
import { STATIC_TABLE } from './hpack-static.js';

export interface DecodedBlock {
  /** Flat [name, value, ...] in the order sent (kept up to the list cap). */
  fields: string[];
  /** Malformed block: decoding stopped here (a bad or truncated string, raw or Huffman-coded, is 'string'). */
  error: HpackError | null;
  /** Fields referring to dynamic entries this decoder does not have (joined late, or after a lost block). */
  unknownIndex: number;
  /** Fields decoded but not kept: the list cap was reached. */
  overList: boolean;
}

export type HpackError = 'integer' | 'string' | 'index';

const ENTRY_OVERHEAD = 32;
/** Integers above this are malformed for our purposes (no table, string or index is this large). */
const MAX_INT = 0x0fffffff;
/** Slots of the ring when it first needs one (a power of two; it doubles when full). */
const RING_START = 16;
const EMPTY = Buffer.alloc(0);

/**
 * The dynamic table is a ring of two parallel arrays (`names`, `values`), owned by this class alone:
 * slot `head` holds the oldest entry and `(head + count - 1) & mask` the newest (dynamic index 1). An
 * entry's size is not stored: it is `name.length + value.length + 32` (names and values are latin1, one
 * character per byte). The ring only grows (doubling), at most to the entries `tableCap` admits
 * (tableCap / 32); an evicted slot is cleared so the strings it held can be collected.
 */
export class HpackDecoder {
  private names: string[] = [];
  private values: string[] = [];
  private head = 0;
  private count = 0;
  /** Bytes of the entries held, as RFC 7541 §4.1 counts them. */
  private size = 0;
  /** Current maximum table size (protocol default 4096, then size updates, never above the cap). */
  private max: number;
  /** Size updates above the cap seen (clamped). */
  clamped = 0;
  /** The block being decoded (empty between calls: the caller's buffer is not kept). */
  private buf: Buffer = EMPTY;
  private pos = 0;
  private end = 0;
  /** The entry found by `lookup`. */
  private foundName = '';
  private foundValue = '';

  constructor(private readonly tableCap: number) {
    this.max = Math.min(4096, tableCap);
  }

  /** Bytes the dynamic table holds (entry sizes as RFC 7541 counts them). */
  get tableBytes(): number {
    return this.size;
  }

  /** Entries in the dynamic table. */
  get tableEntries(): number {
    return this.count;
  }

  /**
   * Decodes one header block; `block` is read during the call only. The result is the caller's: a new
   * object per block, on purpose. One result object kept by the decoder (in the old generation) and
   * rewritten per block would hold the last block's fields until the connection's next block and promote
   * them: measured on the benchmark's h2c capture, about 1 MiB more heap kept after each full collection.
   */
  decode(block: Buffer, listCap: number): DecodedBlock {
    this.buf = block;
    this.pos = 0;
    this.end = block.length;
    const out: DecodedBlock = { fields: [], error: null, unknownIndex: 0, overList: false };
    this.fields(out, listCap);
    this.buf = EMPTY;
    return out;
  }

  private fields(out: DecodedBlock, listCap: number): void {
    const block = this.buf;
    let kept = 0;
    while (this.pos < this.end) {
      const b = block[this.pos];
      let name: string | null;
      let value: string | null;
      if (b & 0x80) { // indexed field (§6.1)
        const idx = this.int(7);
        if (idx < 0) return fail(out, 'integer');
        if (idx === 0) return fail(out, 'index');
        if (!this.lookup(idx)) {
          out.unknownIndex++;
          continue;
        }
        name = this.foundName;
        value = this.foundValue;
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
        } else if (this.lookup(idx)) name = this.foundName;
        else out.unknownIndex++;
        value = this.str();
        if (value === null) return fail(out, 'string');
        if (incremental) this.insert(name ?? '?', value);
        if (name === null) continue;
      }
      kept += name.length + value.length;
      if (kept > listCap) out.overList = true;
      else out.fields.push(name, value);
    }
  }

  /**
   * A static (1..61) or dynamic (62..) index: sets `foundName` / `foundValue` and returns true, or false
   * when the dynamic entry is unknown.
   */
  private lookup(idx: number): boolean {
    if (idx < STATIC_TABLE.length) {
      const e = STATIC_TABLE[idx];
      this.foundName = e[0];
      this.foundValue = e[1];
      return true;
    }
    const d = idx - STATIC_TABLE.length; // 0: newest
    if (d >= this.count) return false;
    const at = (this.head + this.count - 1 - d) & (this.names.length - 1);
    this.foundName = this.names[at];
    this.foundValue = this.values[at];
    return true;
  }

  private insert(name: string, value: string): void {
    const sz = name.length + value.length + ENTRY_OVERHEAD;
    this.evict(sz);
    if (sz > this.max) return; // §4.4: an entry larger than the table empties it and is not inserted
    if (this.count === this.names.length) this.grow();
    const at = (this.head + this.count) & (this.names.length - 1);
    this.names[at] = name;
    this.values[at] = value;
    this.count++;
    this.size += sz;
  }

  /** Evicts the oldest entries until `room` more bytes fit (all of them when `room` exceeds the maximum). */
  private evict(room: number): void {
    const mask = this.names.length - 1;
    while (this.count > 0 && this.size + room > this.max) {
      const at = this.head;
      this.size -= this.names[at].length + this.values[at].length + ENTRY_OVERHEAD;
      this.names[at] = '';
      this.values[at] = '';
      this.head = (at + 1) & mask;
      this.count--;
    }
    if (this.count === 0) this.head = 0;
  }

  /** Doubles the ring, the entries moved oldest first to slot 0. */
  private grow(): void {
    const n = Math.max(RING_START, this.names.length * 2);
    const names = new Array<string>(n).fill('');
    const values = new Array<string>(n).fill('');
    const mask = this.names.length - 1;
    for (let i = 0; i < this.count; i++) {
      names[i] = this.names[(this.head + i) & mask];
      values[i] = this.values[(this.head + i) & mask];
    }
    this.names = names;
    this.values = values;
    this.head = 0;
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
    return huff ? huffmanString(this.buf, from, from + len) : this.buf.toString('latin1', from, from + len);
  }
}

function fail(out: DecodedBlock, reason: HpackError): void {
  out.error = reason;
}
