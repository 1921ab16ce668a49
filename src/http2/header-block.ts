/**
 * Gathers one direction's header blocks: a HEADERS or PUSH_PROMISE frame and the CONTINUATION frames that
 * follow it until END_HEADERS (RFC 9113 §6.10). Caps: at most `maxBytes` of fragments (else the block is
 * kept only as "dropped": `http2.header_block_too_large`) and MAX_CONTINUATION frames (`http2.continuation_flood`);
 * a dropped block is still followed to its END_HEADERS so its stream can be flagged.
 *
 * Buffers: frames are views valid during the frame's call only (frame-reader.ts). A block of one frame
 * (END_HEADERS on the HEADERS / PUSH_PROMISE) is not copied: its `fragment` is a view of that frame, to be
 * decoded before the call returns. A block that needs CONTINUATION frames is copied, fragment by fragment,
 * into a join buffer that belongs to that block alone: allocated when the block goes pending, grown by
 * doubling (never past `maxBytes`), and let go when the block completes, is dropped or is lost; the
 * completed block's `fragment` is a view of it, never written again.
 */
import type { Counters } from '../util/counters.js';
import {
  FLAG_END_HEADERS, FLAG_END_STREAM, FLAG_PADDED, FLAG_PRIORITY, FRAME_CONTINUATION, FRAME_HEADERS, FRAME_PUSH_PROMISE,
} from './frame-reader.js';

/** CONTINUATION frames in one header block. */
export const MAX_CONTINUATION = 64;
/** First size of a join buffer (bytes), unless the first fragment needs more. */
const JOIN_START = 1024;
const EMPTY = Buffer.alloc(0);

/**
 * A header block: a new object per block, on purpose (as for HPACK results, hpack.ts): one object per
 * direction, reused, would keep the last block's `fragment` (a view of a frame, and so the buffer under
 * it) alive until the direction's next block, and promote it.
 */
export interface Block {
  streamId: number;
  /** Stream announced by a PUSH_PROMISE (0 for HEADERS). */
  promised: number;
  endStream: boolean;
  /** The complete block's bytes (padding and priority fields removed); empty while pending or dropped. */
  fragment: Buffer;
  bytes: number;
  frames: number;
  /** Over a cap: the rest is skipped and the block not decoded. */
  dropped: boolean;
}

export class HeaderBlocks {
  /** The block waiting for CONTINUATION frames, or null. */
  pending: Block | null = null;
  /** The pending block's join buffer (EMPTY when no block is pending). */
  private join: Buffer = EMPTY;

  constructor(private readonly counters: Counters, private readonly maxBytes: number) {}

  /**
   * A HEADERS / PUSH_PROMISE frame: the complete block (END_HEADERS), or null (pending, or malformed).
   * Padding (and the priority fields) are stripped in place: the fragment is a view of `p`.
   */
  start(type: number, flags: number, sid: number, p: Buffer): Block | null {
    this.interrupt();
    let off = 0;
    let pad = 0;
    let promised = 0;
    let ok = sid !== 0;
    if (flags & FLAG_PADDED) {
      if (p.length < 1) ok = false;
      else {
        pad = p[0];
        off = 1;
      }
    }
    if (type === FRAME_PUSH_PROMISE) {
      if (p.length < off + 4) ok = false;
      else promised = p.readUInt32BE(off) & 0x7fffffff;
      off += 4;
    } else if (flags & FLAG_PRIORITY) off += 5;
    if (!ok || off + pad > p.length) {
      this.counters.inc('http2.frame_error');
      return null;
    }
    const b = newBlock(type, flags, sid, promised);
    const frag = p.subarray(off, p.length - pad);
    if (flags & FLAG_END_HEADERS) {
      if (this.fits(b, frag.length)) b.fragment = frag;
      return b;
    }
    if (this.fits(b, frag.length)) this.append(b, frag);
    this.pending = b;
    return null;
  }

  /** A CONTINUATION frame: the block it completes, or null. */
  continuation(flags: number, sid: number, p: Buffer): Block | null {
    const b = this.continued(sid);
    if (b === null) return null;
    if (++b.frames > MAX_CONTINUATION && !b.dropped) this.drop(b, 'http2.continuation_flood');
    if (!b.dropped && this.fits(b, p.length)) this.append(b, p);
    return this.complete(b, flags);
  }

  /**
   * A frame too large to hold, skipped unread (frame-reader.ts `onOversize`). A HEADERS frame starts a block
   * and a CONTINUATION belongs to the pending one: that block is dropped (`http2.header_block_too_large`) and
   * followed to its END_HEADERS like any dropped block; returns it when complete, else null. Any other type
   * ends a pending block (a header block must not be interleaved); a PUSH_PROMISE's promised id is lost with it.
   */
  oversize(type: number, flags: number, sid: number): Block | null {
    let b: Block | null;
    if (type === FRAME_CONTINUATION) b = this.continued(sid);
    else {
      this.interrupt();
      b = type === FRAME_HEADERS && sid !== 0 ? newBlock(type, flags, sid, 0) : null;
    }
    if (b === null) return null;
    if (!b.dropped) this.drop(b, 'http2.header_block_too_large');
    return this.complete(b, flags);
  }

  /** Another frame (or a gap) came while a block waited for CONTINUATION: the block is lost. */
  interrupt(): void {
    if (this.pending === null) return;
    this.counters.inc('http2.continuation_missing');
    this.pending = null;
    this.join = EMPTY;
  }

  /** The pending block of stream `sid`, or null (`http2.unexpected_continuation`). */
  private continued(sid: number): Block | null {
    const b = this.pending;
    if (b !== null && b.streamId === sid) return b;
    this.counters.inc('http2.unexpected_continuation');
    return null;
  }

  /** `b` is complete when `flags` carry END_HEADERS (returned, its join buffer let go), else pending (null). */
  private complete(b: Block, flags: number): Block | null {
    if ((flags & FLAG_END_HEADERS) === 0) {
      this.pending = b;
      return null;
    }
    if (!b.dropped) b.fragment = this.join.subarray(0, b.bytes);
    this.pending = null;
    this.join = EMPTY;
    return b;
  }

  /** Counts `length` more bytes into the block; false (and the block dropped) when over `maxBytes`. */
  private fits(b: Block, length: number): boolean {
    b.bytes += length;
    if (b.bytes <= this.maxBytes) return true;
    this.drop(b, 'http2.header_block_too_large');
    return false;
  }

  private drop(b: Block, counter: string): void {
    b.dropped = true;
    this.join = EMPTY;
    this.counters.inc(counter);
  }

  /** Copies a fragment after the block's first `b.bytes - frag.length` bytes in the join buffer. */
  private append(b: Block, frag: Buffer): void {
    const at = b.bytes - frag.length;
    if (this.join.length < b.bytes) {
      const grown = Buffer.allocUnsafe(Math.min(this.maxBytes, Math.max(b.bytes, 2 * this.join.length, JOIN_START)));
      this.join.copy(grown, 0, 0, at);
      this.join = grown;
    }
    frag.copy(this.join, at);
  }
}

function newBlock(type: number, flags: number, sid: number, promised: number): Block {
  return {
    streamId: sid, promised, endStream: (flags & FLAG_END_STREAM) !== 0 && type === FRAME_HEADERS,
    fragment: EMPTY, bytes: 0, frames: 0, dropped: false,
  };
}
