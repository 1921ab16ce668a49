/**
 * Collects one message body: counts its decoded length, captures decoded bytes up to the per-message
 * cap and the global budget, and decodes Content-Encoding on the fly (StreamDecoder).
 *
 * Ownership: `write` receives views valid only during the call; what is kept is copied into blocks
 * owned by the collector until `finish()` hands one buffer to the exchange.
 *
 * Memory: blocks are allocated with allocUnsafeSlow (each its own ArrayBuffer, so a kept body never
 * pins a slab of Node's 8 KiB pool shared with short-lived allocations). The first block is exactly
 * the first piece captured (most bodies arrive in one piece, and then that block is the body: no
 * further copy), or, when the size is announced (`expectedBytes`: Content-Length without a
 * Content-Encoding), the whole body up to PREALLOCATE_MAX_BYTES, so such a body is copied once and never
 * joined. The announcement is only a hint: a body that ends short keeps the unused tail reserved until
 * `finish()` returns it (join). A body that announces more than PREALLOCATE_MAX_BYTES grows by blocks
 * (a peer that announces 10 MB and sends nothing must not reserve 10 MB of the budget). Later blocks
 * are as large as what was captured so far, between MIN_BLOCK_BYTES and MAX_BLOCK_BYTES (a larger piece
 * gets a block of its own size). So an unfinished body reserves at most PREALLOCATE_MAX_BYTES (16 KiB) it
 * has not filled: spending the 64 MiB budget that way takes over 4000 connections that announce bodies
 * and stall. `finish()` joins several blocks into one buffer of the exact size (one copy) and
 * frees the blocks. The global budget (ByteBudget) counts the allocated block sizes, not the bytes
 * written, so it bounds what the stage really holds. The reservation is released by the owner
 * (ExchangeQueue.emit subtracts `heldBytes`) when the exchange leaves the stage.
 */
import type { MessageBody } from './types.js';
import { StreamDecoder, codingName } from './decoder.js';
import type { ByteBudget } from './byte-budget.js';
import { REPORT_DECODE_PARTIAL, REPORT_UNKNOWN_ENCODING } from './quirks.js';

export interface BodyLimits {
  maxHttpLength: number;
  maxDecodedBytes: number;
}

/** Why a body ended short or odd; the connection turns these into flags and counters. */
export const BODY_TRUNCATED_BY_LENGTH = 1;
export const BODY_TRUNCATED_BY_BUDGET = 2;
export const BODY_DECODE_CAP = 4;
export const BODY_DECODE_ERROR = 8;
export const BODY_GAP = 16;
/** With BODY_DECODE_ERROR: the compressed data was truncated or corrupt after some output; the decoded prefix is reported. */
export const BODY_DECODE_PARTIAL = 32;
/** With BODY_DECODE_ERROR: nothing decoded (the body is not in its announced coding); the raw bytes are reported. */
export const BODY_ENCODING_NOT_APPLIED = 64;

/** Smallest block after the first one (bytes). */
const MIN_BLOCK_BYTES = 1024;
/** Largest block, unless one piece is larger: bounds the unused tail of an unfinished body (bytes). */
const MAX_BLOCK_BYTES = 4 * 1024;
/** Largest first block taken from an announced size (bytes): bounds what an announcement alone reserves. */
export const PREALLOCATE_MAX_BYTES = 16 * 1024;

function onDecoded(out: Buffer, ctx: unknown): void {
  (ctx as BodyCollector).take(out);
}

export class BodyCollector {
  /** Decoded bytes seen (the reported length); the raw bytes when the coding was not applied. */
  private length = 0;
  /** Captured bytes, in order: every block full except the last, which holds lastFill bytes. */
  private blocks: Buffer[] = [];
  private lastFill = 0;
  private captured = 0;
  /** Sum of the block sizes: what this body reserves in the budget. */
  private reserved = 0;
  /** Bitwise or of BODY_* conditions. */
  conditions = 0;
  private decoder: StreamDecoder | null;
  private readonly coding: number;
  private readonly limits: BodyLimits;
  private readonly budget: ByteBudget;
  /** Size of the first block when the body's size is announced (0: not announced, or over the hint cap). */
  private readonly firstBlockHint: number;
  /**
   * Copies of the encoded pieces written while the decoder has produced nothing yet (charged to the budget):
   * the body reported raw if decoding then fails. Dropped at the first decoded byte (null from then on).
   */
  private pendingRaw: Buffer[] | null = [];
  /** 0, or the BODY_TRUNCATED_BY_* bit of the cap that stopped the raw copies (see keepRaw). */
  private rawCut = 0;

  /**
   * `coding`: 0 identity, -1 unsupported (counted as identity of the encoded bytes), else a CODING_* value.
   * `expectedBytes`: the announced decoded size (Content-Length of an identity body), or 0 when unknown.
   */
  constructor(coding: number, limits: BodyLimits, budget: ByteBudget, expectedBytes = 0) {
    this.coding = coding;
    this.limits = limits;
    this.budget = budget;
    this.decoder = coding > 0 ? new StreamDecoder(coding) : null;
    this.firstBlockHint = coding === 0 && expectedBytes <= PREALLOCATE_MAX_BYTES ? expectedBytes : 0;
  }

  /** True when this body runs a decoder (for the decode-work counter). */
  get decoding(): boolean {
    return this.coding > 0;
  }

  /** Delivers body bytes (already de-chunked). `data` is a view valid during the call only. */
  write(data: Buffer): void {
    if (data.length === 0) return;
    if (this.coding <= 0 || (this.conditions & BODY_ENCODING_NOT_APPLIED) !== 0) {
      this.take(data);
      return;
    }
    if ((this.conditions & (BODY_DECODE_ERROR | BODY_DECODE_CAP | BODY_GAP)) !== 0) return;
    const decoder = this.decoder as StreamDecoder;
    if (!decoder.write(data, onDecoded, this)) this.decodeFailed(decoder.failure, data);
    else if (this.pendingRaw !== null) this.keepRaw(data);
  }

  /** Decoding failed (or, at the end, the stream was incomplete): partial, not applied, or the decode cap. */
  private decodeFailed(failure: 'error' | 'cap' | null, data: Buffer | null): void {
    (this.decoder as StreamDecoder).dispose();
    if (failure === 'cap') {
      this.conditions |= BODY_DECODE_CAP;
      return;
    }
    const raw = this.pendingRaw;
    if (raw === null) {
      this.conditions |= BODY_DECODE_ERROR | BODY_DECODE_PARTIAL;
      return;
    }
    // Nothing decoded: the body was not in its announced coding. Report what was sent.
    // Raw copies stopped at a cap: what was kept is reported, truncated there (no hole before `data`).
    this.conditions |= BODY_DECODE_ERROR | BODY_ENCODING_NOT_APPLIED | this.rawCut;
    this.dropRaw();
    for (let i = 0; i < raw.length; i++) this.take(raw[i]!);
    if (data !== null && this.rawCut === 0) this.take(data);
  }

  /**
   * A copy of an encoded piece that produced no output yet (see pendingRaw). Copies stop for good at the
   * capture cap or the budget (`rawCut` says which), so the kept bytes are a prefix of the body, without
   * a hole; if decoding then fails, that prefix is reported flagged `truncated`.
   */
  private keepRaw(data: Buffer): void {
    const raw = this.pendingRaw as Buffer[];
    let kept = 0;
    for (let i = 0; i < raw.length; i++) kept += raw[i]!.length;
    if (this.rawCut !== 0) return;
    const byLength = this.limits.maxHttpLength - kept;
    const byBudget = this.budget.max - this.budget.held;
    const n = Math.min(data.length, byLength, byBudget);
    if (n < data.length) this.rawCut = byLength <= byBudget ? BODY_TRUNCATED_BY_LENGTH : BODY_TRUNCATED_BY_BUDGET;
    if (n <= 0) return;
    const copy = Buffer.allocUnsafeSlow(n);
    data.copy(copy, 0, 0, n);
    raw.push(copy);
    this.budget.held += n;
  }

  /** Releases the raw copies (the first decoded byte arrived, or they were taken). */
  private dropRaw(): void {
    const raw = this.pendingRaw;
    if (raw === null) return;
    this.pendingRaw = null;
    for (let i = 0; i < raw.length; i++) this.budget.held -= raw[i]!.length;
  }

  /** Report bits (quirks.ts REPORT_*) of how this body was decoded: a partial decode, an unknown coding. */
  get quirks(): number {
    return ((this.conditions & BODY_DECODE_PARTIAL) !== 0 ? REPORT_DECODE_PARTIAL : 0) | (this.coding < 0 ? REPORT_UNKNOWN_ENCODING : 0);
  }

  /** `n` bytes of this body are missing. An encoded body cannot be decoded past a hole: decoding stops. */
  gap(_n: number): void {
    this.conditions |= BODY_GAP;
    if (this.decoder !== null) this.decoder.dispose();
  }

  /** Counts and captures decoded bytes (a view: copied when kept). */
  take(out: Buffer): void {
    if (this.pendingRaw !== null && this.coding > 0 && (this.conditions & BODY_ENCODING_NOT_APPLIED) === 0) this.dropRaw();
    const room = this.limits.maxDecodedBytes - this.length;
    if (this.coding > 0 && out.length > room) {
      out = out.subarray(0, room);
      this.conditions |= BODY_DECODE_CAP;
      (this.decoder as StreamDecoder).dispose();
    }
    this.length += out.length;
    const want = Math.min(out.length, this.limits.maxHttpLength - this.captured);
    if (want < out.length) this.conditions |= BODY_TRUNCATED_BY_LENGTH;
    let src = 0;
    while (src < want) {
      let block = this.blocks.length === 0 ? null : this.blocks[this.blocks.length - 1];
      if (block === null || this.lastFill === block.length) {
        block = this.newBlock(want - src);
        if (block === null) {
          this.conditions |= BODY_TRUNCATED_BY_BUDGET;
          return;
        }
      }
      const n = Math.min(want - src, block.length - this.lastFill);
      out.copy(block, this.lastFill, src, src + n);
      this.lastFill += n;
      this.captured += n;
      src += n;
    }
  }

  /** Appends an empty block for `pending` more bytes (sizes: see the file comment), within the budget; null when the budget is spent. */
  private newBlock(pending: number): Buffer | null {
    let size = pending;
    if (this.blocks.length === 0) {
      if (this.firstBlockHint > size) size = this.firstBlockHint;
    } else {
      let step = this.captured < MIN_BLOCK_BYTES ? MIN_BLOCK_BYTES : this.captured;
      if (step > MAX_BLOCK_BYTES) step = MAX_BLOCK_BYTES;
      if (step > size) size = step;
    }
    const left = this.limits.maxHttpLength - this.captured;
    if (size > left) size = left;
    const free = this.budget.max - this.budget.held;
    if (size > free) size = free;
    if (size <= 0) return null;
    const block = Buffer.allocUnsafeSlow(size);
    this.blocks.push(block);
    this.lastFill = 0;
    this.reserved += size;
    this.budget.held += size;
    return block;
  }

  /** Bytes reserved in the budget by this body (allocated, not only written). */
  get heldBytes(): number {
    return this.reserved;
  }

  /**
   * Ends the body and builds its report. Call once; the decoder is released. The buffer handed to the
   * report stays reserved in the budget (heldBytes) until the owner releases it.
   */
  finish(): MessageBody {
    const decoder = this.decoder;
    if (decoder !== null) {
      if ((this.conditions & (BODY_DECODE_ERROR | BODY_DECODE_CAP | BODY_GAP | BODY_ENCODING_NOT_APPLIED)) === 0 && !decoder.end(onDecoded, this)) {
        this.decodeFailed(decoder.failure, null);
      }
      decoder.dispose();
      this.dropRaw();
    }
    if (this.blocks.length > 1 || this.lastFill !== this.reserved) this.join();
    const bytes = this.captured === 0 ? null : this.blocks[0]!;
    const c = this.conditions;
    const short = (c & (BODY_TRUNCATED_BY_LENGTH | BODY_TRUNCATED_BY_BUDGET | BODY_DECODE_CAP | BODY_DECODE_PARTIAL)) !== 0;
    return {
      length: this.length,
      truncated: short || (bytes === null ? 0 : bytes.length) < this.length,
      bytes,
      encoding: (c & BODY_ENCODING_NOT_APPLIED) !== 0 ? null : codingName(this.coding),
    };
  }

  /** Replaces the blocks by one buffer of the captured size; the budget gets the unused tail back. */
  private join(): void {
    const exact = Buffer.allocUnsafeSlow(this.captured);
    let at = 0;
    const last = this.blocks.length - 1;
    for (let i = 0; i <= last; i++) {
      const b = this.blocks[i];
      at += b.copy(exact, at, 0, i === last ? this.lastFill : b.length);
    }
    this.budget.held -= this.reserved - this.captured;
    this.reserved = this.captured;
    this.blocks = [exact];
    this.lastFill = this.captured;
  }
}

/** The report of a body that was not collected (no body, or a dropped exchange). */
export function emptyBody(): MessageBody {
  return { length: 0, truncated: false, bytes: null, encoding: null };
}
