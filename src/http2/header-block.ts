/**
 * Gathers one direction's header blocks: a HEADERS or PUSH_PROMISE frame and the CONTINUATION frames that
 * follow it until END_HEADERS (RFC 9113 §6.10). Caps: at most `maxBytes` of fragments (else the block is
 * kept only as "dropped": `http2.header_block_too_large`) and MAX_CONTINUATION frames (`http2.continuation_flood`);
 * a dropped block is still followed to its END_HEADERS so its stream can be flagged. Fragments are copied
 * (frames are views valid during the call only).
 */
import type { Counters } from '../util/counters.js';
import { FLAG_END_HEADERS, FLAG_END_STREAM, FLAG_PADDED, FLAG_PRIORITY, FRAME_HEADERS, FRAME_PUSH_PROMISE } from './frame-reader.js';

/** CONTINUATION frames in one header block. */
export const MAX_CONTINUATION = 64;

export interface Block {
  streamId: number;
  /** Stream announced by a PUSH_PROMISE (0 for HEADERS). */
  promised: number;
  endStream: boolean;
  parts: Buffer[];
  bytes: number;
  frames: number;
  /** Over a cap: the rest is skipped and the block not decoded. */
  dropped: boolean;
}

/** Strips padding (and the priority fields) from a HEADERS / PUSH_PROMISE payload; null when malformed. */
function fragmentOf(type: number, flags: number, p: Buffer): { promised: number; frag: Buffer } | null {
  let off = 0;
  let pad = 0;
  if (flags & FLAG_PADDED) {
    if (p.length < 1) return null;
    pad = p[0];
    off = 1;
  }
  let promised = 0;
  if (type === FRAME_PUSH_PROMISE) {
    if (p.length < off + 4) return null;
    promised = p.readUInt32BE(off) & 0x7fffffff;
    off += 4;
  } else if (flags & FLAG_PRIORITY) off += 5;
  if (off + pad > p.length) return null;
  return { promised, frag: p.subarray(off, p.length - pad) };
}

export class HeaderBlocks {
  /** The block waiting for CONTINUATION frames, or null. */
  pending: Block | null = null;

  constructor(private readonly counters: Counters, private readonly maxBytes: number) {}

  /** A HEADERS / PUSH_PROMISE frame: the complete block (END_HEADERS), or null (pending, or malformed). */
  start(type: number, flags: number, sid: number, p: Buffer): Block | null {
    this.interrupt();
    const f = fragmentOf(type, flags, p);
    if (f === null || sid === 0) {
      this.counters.inc('http2.frame_error');
      return null;
    }
    const b: Block = {
      streamId: sid, promised: f.promised, endStream: (flags & FLAG_END_STREAM) !== 0 && type === FRAME_HEADERS,
      parts: [], bytes: 0, frames: 0, dropped: false,
    };
    this.add(b, f.frag);
    if (flags & FLAG_END_HEADERS) return b;
    this.pending = b;
    return null;
  }

  /** A CONTINUATION frame: the block it completes, or null. */
  continuation(flags: number, sid: number, p: Buffer): Block | null {
    const b = this.pending;
    if (b === null || b.streamId !== sid) {
      this.counters.inc('http2.unexpected_continuation');
      return null;
    }
    if (++b.frames > MAX_CONTINUATION && !b.dropped) {
      b.dropped = true;
      b.parts = [];
      this.counters.inc('http2.continuation_flood');
    }
    this.add(b, p);
    if ((flags & FLAG_END_HEADERS) === 0) return null;
    this.pending = null;
    return b;
  }

  /** Another frame (or a gap) came while a block waited for CONTINUATION: the block is lost. */
  interrupt(): void {
    if (this.pending === null) return;
    this.counters.inc('http2.continuation_missing');
    this.pending = null;
  }

  private add(b: Block, frag: Buffer): void {
    if (b.dropped) return;
    b.bytes += frag.length;
    if (b.bytes > this.maxBytes) {
      b.dropped = true;
      b.parts = [];
      this.counters.inc('http2.header_block_too_large');
      return;
    }
    b.parts.push(Buffer.from(frag));
  }
}
