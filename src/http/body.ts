/**
 * Collects one message body: counts its decoded length, captures decoded bytes up to the per-message
 * cap and the global budget, and decodes Content-Encoding on the fly (StreamDecoder).
 *
 * Ownership: `write` receives views valid only during the call; what is kept is copied. The captured
 * bytes belong to the collector until `finish()` hands them to the exchange; the budget reservation is
 * released by the owner (`releaseBudget`) when the exchange leaves the stage.
 */
import type { MessageBody } from './types.js';
import { StreamDecoder, codingName } from './decoder.js';

/** Captured body bytes held by the HTTP stage across all connections (HttpOptions.maxBodyBufferTotal). */
export class BodyBudget {
  held = 0;
  constructor(readonly max: number) {}
}

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

function onDecoded(out: Buffer, ctx: unknown): void {
  (ctx as BodyCollector).take(out);
}

export class BodyCollector {
  /** Decoded bytes seen (the reported length), except after a decode error (then the encoded size). */
  private length = 0;
  private encodedLength = 0;
  private readonly chunks: Buffer[] = [];
  private captured = 0;
  /** Bitwise or of BODY_* conditions. */
  conditions = 0;
  private decoder: StreamDecoder | null;
  private readonly coding: number;
  private readonly limits: BodyLimits;
  private readonly budget: BodyBudget;

  /** `coding`: 0 identity, -1 unsupported (counted as identity of the encoded bytes), else a CODING_* value. */
  constructor(coding: number, limits: BodyLimits, budget: BodyBudget) {
    this.coding = coding;
    this.limits = limits;
    this.budget = budget;
    this.decoder = coding > 0 ? new StreamDecoder(coding) : null;
  }

  /** True when this body runs a decoder (for the decode-work counter). */
  get decoding(): boolean {
    return this.coding > 0;
  }

  /** Delivers body bytes (already de-chunked). `data` is a view valid during the call only. */
  write(data: Buffer): void {
    if (data.length === 0) return;
    this.encodedLength += data.length;
    if (this.coding <= 0) {
      this.take(data);
      return;
    }
    if ((this.conditions & (BODY_DECODE_ERROR | BODY_DECODE_CAP | BODY_GAP)) !== 0) return;
    const decoder = this.decoder as StreamDecoder;
    if (!decoder.write(data, onDecoded, this)) {
      this.conditions |= decoder.failure === 'cap' ? BODY_DECODE_CAP : BODY_DECODE_ERROR;
      decoder.dispose();
    }
  }

  /** `n` bytes of this body are missing. An encoded body cannot be decoded past a hole: decoding stops. */
  gap(_n: number): void {
    this.conditions |= BODY_GAP;
    if (this.decoder !== null) this.decoder.dispose();
  }

  /** Counts and captures decoded bytes (a view: copied when kept). */
  take(out: Buffer): void {
    const room = this.limits.maxDecodedBytes - this.length;
    if (this.coding > 0 && out.length > room) {
      out = out.subarray(0, room);
      this.conditions |= BODY_DECODE_CAP;
      (this.decoder as StreamDecoder).dispose();
    }
    this.length += out.length;
    let want = Math.min(out.length, this.limits.maxHttpLength - this.captured);
    if (want < out.length) this.conditions |= BODY_TRUNCATED_BY_LENGTH;
    if (want > 0 && this.budget.held + want > this.budget.max) {
      want = Math.max(0, this.budget.max - this.budget.held);
      this.conditions |= BODY_TRUNCATED_BY_BUDGET;
    }
    if (want <= 0) return;
    this.chunks.push(Buffer.from(out.subarray(0, want)));
    this.captured += want;
    this.budget.held += want;
  }

  /** Bytes reserved in the budget by this body. */
  get heldBytes(): number {
    return this.captured;
  }

  /** Ends the body and builds its report. Call once; the decoder is released. */
  finish(): MessageBody {
    if (this.decoder !== null) this.decoder.dispose();
    const failed = (this.conditions & BODY_DECODE_ERROR) !== 0;
    const bytes = failed || this.captured === 0 ? null : this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.captured);
    const length = failed ? this.encodedLength : this.length;
    const short = (this.conditions & (BODY_TRUNCATED_BY_LENGTH | BODY_TRUNCATED_BY_BUDGET | BODY_DECODE_CAP)) !== 0;
    return {
      length,
      truncated: failed ? length > 0 : short || (bytes === null ? 0 : bytes.length) < length,
      bytes,
      encoding: failed ? null : codingName(this.coding),
    };
  }
}

/** The report of a body that was not collected (no body, or a dropped exchange). */
export function emptyBody(): MessageBody {
  return { length: 0, truncated: false, bytes: null, encoding: null };
}
