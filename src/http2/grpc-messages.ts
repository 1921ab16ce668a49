/**
 * gRPC messages of one direction (the gRPC "PROTOCOL-HTTP2" wire format): each message is a 5-byte
 * prefix (compressed flag, 4-byte big-endian length) and the message, split anywhere across DATA frames.
 *
 * `write(data, body)` counts the messages and hands the body the length-prefixed stream with each
 * compressed message (flag 1) replaced by its decompressed bytes, flag 0 and the new length, when the
 * direction's `grpc-encoding` is gzip or deflate (the body pipeline's codings, src/http/decoder.ts).
 * Uncompressed messages pass through as they arrive (not held). A compressed message is held until
 * complete (HeldMessage: at most `maxHttpLength` bytes, charged to the global body budget and released
 * once decoded or given up), then decoded (grpc-decode.ts) within what is left of `maxDecodedBytes` for the
 * direction: the output of every decode pass counts in `work`, and once it reaches `maxDecodedBytes` later
 * compressed messages are not held, kept as sent (`capped`).
 *
 * States: framed (above); `desync()` when the message boundaries are lost (a gap): a held message goes to
 * the body as sent and later bytes pass through, neither counted nor decoded; `end()` when the direction
 * ended: nothing is held or written afterwards.
 *
 * A compressed message that is not decoded goes to the body as sent (flag 1), counted in one of:
 * `unknown` (an encoding the sensor does not decode: snappy, zstd, a custom one), `failures` (no encoding
 * or `identity` announced, corrupt data, above `maxHttpLength`, the stream cut inside it; the body budget
 * spent while holding it, also in `overBudget`; an output above what is left of `maxDecodedBytes`, or the
 * direction's decoding work spent, also in `capped`). The stream turns these into flags and counters
 * (grpc.ts reportGrpcMessages).
 */
import { CODING_DEFLATE, CODING_GZIP } from '../http/decoder.js';
import type { BodyLimits } from '../http/body.js';
import type { ByteBudget } from '../http/byte-budget.js';
import { decodeMessage, type ByteSink, type DecodeWork } from './grpc-decode.js';

export type { ByteSink } from './grpc-decode.js';

/** The StreamDecoder coding of a `grpc-encoding` value: 0 none / identity, -1 one not decoded here. */
export function grpcCoding(encoding: string | null): number {
  if (encoding === 'gzip') return CODING_GZIP;
  if (encoding === 'deflate') return CODING_DEFLATE;
  return encoding === null || encoding === '' || encoding === 'identity' ? 0 : -1;
}

/** Smallest block of a held message; later blocks are as large as what is held so far (bytes). */
const HOLD_BLOCK_BYTES = 16 * 1024;

/**
 * The bytes of one compressed message, copied as they come into blocks charged to the budget. A block is
 * as large as what is already held (at least HOLD_BLOCK_BYTES, at most what the message still announces),
 * so a message that stalls reserves at most twice what it sent plus one small block.
 */
class HeldMessage {
  readonly blocks: Buffer[] = [];
  private fill = 0;
  private got = 0;
  private reserved = 0;

  constructor(private readonly total: number, private readonly budget: ByteBudget) {}

  /** Copies `piece`; returns how many of its bytes were taken (fewer than all: the budget is spent). */
  add(piece: Buffer): number {
    let src = 0;
    while (src < piece.length) {
      let block = this.blocks.length === 0 ? null : this.blocks[this.blocks.length - 1]!;
      if (block === null || this.fill === block.length) {
        const size = Math.min(this.total - this.got, Math.max(HOLD_BLOCK_BYTES, this.got));
        if (size > this.budget.max - this.budget.held) return src;
        block = Buffer.allocUnsafeSlow(size);
        this.blocks.push(block);
        this.fill = 0;
        this.reserved += size;
        this.budget.held += size;
      }
      const n = Math.min(piece.length - src, block.length - this.fill);
      piece.copy(block, this.fill, src, src + n);
      this.fill += n;
      this.got += n;
      src += n;
    }
    return src;
  }

  /** Bytes held. */
  get size(): number {
    return this.got;
  }

  /** The bytes held, in order (views). */
  pieces(): Buffer[] {
    const last = this.blocks.length - 1;
    return this.blocks.map((b, i) => (i === last ? b.subarray(0, this.fill) : b));
  }

  /** Gives the blocks back to the budget. Idempotent. */
  release(): void {
    this.budget.held -= this.reserved;
    this.reserved = 0;
    this.blocks.length = 0;
  }
}

export class GrpcMessages {
  messages = 0;
  /** Compressed messages kept as sent because they could not be decoded (see the file comment). */
  failures = 0;
  /** Compressed messages kept as sent because their encoding is not one decoded here. */
  unknown = 0;
  /** Of `failures`: the body budget could not hold the message. */
  overBudget = 0;
  /** Of `failures`: the direction's decoding work reached `maxDecodedBytes`, or the message's output passed what was left (see `work`). */
  capped = 0;
  /** Decoding work of this direction so far: output bytes of every pass, and the passes run. */
  readonly work: DecodeWork = { bytes: 0, passes: 0 };
  /** The direction's `grpc-encoding` (lower case), or null. */
  encoding: string | null = null;
  private readonly prefix = Buffer.alloc(5);
  private prefixAt = 0;
  /** Message bytes still to come: passed through (`held` null) or gathered into `held`. */
  private left = 0;
  private held: HeldMessage | null = null;
  private coding = 0;
  /** 'through': the message boundaries were lost (desync), bytes pass as they come, uncounted; 'closed': ended. */
  private state: 'framed' | 'through' | 'closed' = 'framed';

  constructor(private readonly limits: BodyLimits, private readonly budget: ByteBudget) {}

  write(data: Buffer, body: ByteSink | null): void {
    if (this.state !== 'framed') {
      if (this.state === 'through') body?.write(data);
      return;
    }
    let i = 0;
    while (i < data.length) {
      if (this.left > 0) {
        const k = Math.min(this.left, data.length - i);
        const piece = data.subarray(i, i + k);
        this.left -= k;
        i += k;
        if (this.held === null) body?.write(piece);
        else {
          const taken = this.held.add(piece);
          if (taken < k) this.giveUp(body, piece.subarray(taken), true);
          else if (this.left === 0) this.decode(body);
        }
        continue;
      }
      this.prefix[this.prefixAt++] = data[i++]!;
      if (this.prefixAt === 5) this.startMessage(body);
    }
  }

  /**
   * The direction ended: a message cut short goes to the body as far as it came, counted as a failure.
   * Nothing is held or written afterwards. Idempotent (`body` null: only releases a held message).
   */
  end(body: ByteSink | null): void {
    if (this.state === 'closed') return;
    this.cut(body);
    this.state = 'closed';
  }

  /**
   * The message boundaries are lost (a gap in the direction, or DATA that passed before the stream knew it
   * was gRPC): a held message goes to the body as sent (a failure), later bytes pass through uncounted.
   * Returns true when this direction was still framed.
   */
  desync(body: ByteSink | null): boolean {
    if (this.state !== 'framed') return false;
    this.cut(body);
    this.state = 'through';
    return true;
  }

  private cut(body: ByteSink | null): void {
    if (this.held !== null) this.giveUp(body, null, false);
    else if (this.prefixAt > 0) body?.write(this.prefix.subarray(0, this.prefixAt));
    this.prefixAt = 0;
    this.left = 0;
  }

  private startMessage(body: ByteSink | null): void {
    this.prefixAt = 0;
    this.messages++;
    this.left = this.prefix.readUInt32BE(1);
    if (this.prefix[0] === 0 || body === null) { // not compressed, or no body kept (dropped exchange): count only
      body?.write(this.prefix);
      return;
    }
    this.coding = grpcCoding(this.encoding);
    const spent = this.work.bytes >= this.limits.maxDecodedBytes;
    if (this.coding > 0 && this.left <= this.limits.maxHttpLength && !spent) {
      this.held = new HeldMessage(this.left, this.budget);
      if (this.left === 0) this.decode(body);
      return;
    }
    if (this.coding < 0) this.unknown++;
    else {
      this.failures++; // no encoding announced, above the hold cap, or the decoding work spent
      if (spent && this.coding > 0) this.capped++;
    }
    body.write(this.prefix);
  }

  /** The held message as sent, then `piece`; the rest of the message passes through. */
  private giveUp(body: ByteSink | null, piece: Buffer | null, budget: boolean): void {
    const held = this.held as HeldMessage;
    this.held = null;
    this.failures++;
    if (budget) this.overBudget++;
    const pieces = held.pieces();
    held.release(); // first: the body collector may use the room (the pieces stay readable)
    body?.write(this.prefix);
    for (const b of pieces) body?.write(b);
    if (piece !== null) body?.write(piece);
  }

  private decode(body: ByteSink | null): void {
    const held = this.held as HeldMessage;
    this.held = null;
    const pieces = held.pieces();
    const limit = this.limits.maxDecodedBytes - this.work.bytes;
    const outcome = body === null ? 'ok' : decodeMessage(this.coding, pieces, held.size, limit, this.budget, body, this.work);
    held.release();
    if (outcome === 'ok') return;
    this.failures++;
    if (outcome === 'cap') this.capped++;
    (body as ByteSink).write(this.prefix);
    for (const b of pieces) (body as ByteSink).write(b);
  }
}
