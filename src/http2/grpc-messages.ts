/**
 * gRPC messages of one direction (the gRPC "PROTOCOL-HTTP2" wire format): each message is a 5-byte
 * prefix (compressed flag, 4-byte big-endian length) and the message, split anywhere across DATA frames.
 *
 * `write(data, body)` counts the messages and hands the body the length-prefixed stream with each
 * compressed message (flag 1, `grpc-encoding: gzip` on that direction's header block) replaced by its
 * decompressed bytes, flag 0 and the new length. Uncompressed messages pass through as they arrive (not
 * held). A compressed message is held until complete, at most `maxHttpLength` bytes; it is then
 * gunzipped, producing at most `maxDecodedBytes`. When it cannot be decoded (a corrupt gzip stream, an
 * encoding other than gzip, a message above either cap, a stream cut inside it) the message goes to the
 * body as sent (flag 1) and `failures` counts it (the stream flags `decode_error`).
 */
import { gunzipSync } from 'node:zlib';
import type { BodyLimits } from '../http/body.js';

/** What receives the re-framed bytes (a BodyCollector, or nothing when the body is not kept). */
export interface ByteSink { write(data: Buffer): void }

export class GrpcMessages {
  messages = 0;
  /** Messages that had to be kept as sent (compressed flag set, not decoded). */
  failures = 0;
  /** The direction's `grpc-encoding` (lower case), or null. */
  encoding: string | null = null;
  private readonly prefix = Buffer.alloc(5);
  private prefixAt = 0;
  /** Message bytes still to come: passed through (`held` null) or gathered into `held`. */
  private left = 0;
  private held: Buffer[] | null = null;

  constructor(private readonly limits: BodyLimits) {}

  write(data: Buffer, body: ByteSink | null): void {
    let i = 0;
    while (i < data.length) {
      if (this.left > 0) {
        const k = Math.min(this.left, data.length - i);
        const piece = data.subarray(i, i + k);
        if (this.held !== null) this.held.push(piece);
        else body?.write(piece);
        this.left -= k;
        i += k;
        if (this.left === 0 && this.held !== null) this.decode(body);
        continue;
      }
      this.prefix[this.prefixAt++] = data[i++];
      if (this.prefixAt === 5) this.startMessage(body);
    }
  }

  /** The direction ended: a message cut short goes to the body as far as it came, counted as a failure. */
  end(body: ByteSink | null): void {
    if (this.held !== null) {
      body?.write(this.prefix);
      for (const b of this.held) body?.write(b);
      this.failures++;
    } else if (this.prefixAt > 0) body?.write(this.prefix.subarray(0, this.prefixAt));
    this.held = null;
    this.prefixAt = 0;
    this.left = 0;
  }

  private startMessage(body: ByteSink | null): void {
    this.prefixAt = 0;
    this.messages++;
    this.left = this.prefix.readUInt32BE(1);
    const compressed = this.prefix[0] !== 0 && body !== null; // no body kept (dropped exchange): count only
    if (compressed && this.encoding === 'gzip' && this.left <= this.limits.maxHttpLength) {
      this.held = [];
      if (this.left === 0) this.decode(body);
      return;
    }
    if (compressed) this.failures++; // kept as sent: not gzip, or above the hold cap
    body?.write(Buffer.from(this.prefix));
  }

  private decode(body: ByteSink | null): void {
    const raw = Buffer.concat(this.held as Buffer[]);
    this.held = null;
    let out: Buffer | null;
    try {
      out = gunzipSync(raw, { maxOutputLength: this.limits.maxDecodedBytes });
    } catch {
      out = null; // corrupt, or above the decode cap (RangeError)
    }
    if (out === null) {
      this.failures++;
      body?.write(Buffer.from(this.prefix));
      body?.write(raw);
      return;
    }
    const head = Buffer.alloc(5);
    head.writeUInt32BE(out.length, 1);
    body?.write(head);
    body?.write(out);
  }
}
