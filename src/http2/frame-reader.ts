/**
 * Incremental HTTP/2 frame reader for one direction (RFC 9113 §4.1). Bytes may split anywhere: the
 * 9-byte frame header is assembled across calls; a DATA payload is handed on as it arrives (never held),
 * without its pad length byte and padding; any other frame is handed on whole. A non-DATA payload that
 * arrives in one piece is passed as a view (no copy); otherwise it is assembled in a buffer of its exact
 * size, at most `maxHeldFrame` bytes. A larger non-DATA frame is skipped and reported (`onOversize`).
 */

export const FRAME_DATA = 0x0;
export const FRAME_HEADERS = 0x1;
export const FRAME_PRIORITY = 0x2;
export const FRAME_RST_STREAM = 0x3;
export const FRAME_SETTINGS = 0x4;
export const FRAME_PUSH_PROMISE = 0x5;
export const FRAME_PING = 0x6;
export const FRAME_GOAWAY = 0x7;
export const FRAME_WINDOW_UPDATE = 0x8;
export const FRAME_CONTINUATION = 0x9;

export const FLAG_END_STREAM = 0x1;
export const FLAG_END_HEADERS = 0x4;
export const FLAG_PADDED = 0x8;
export const FLAG_PRIORITY = 0x20;

export interface FrameHandler {
  /** A whole non-DATA frame. `payload` is valid during the call only. */
  onFrame(type: number, flags: number, streamId: number, payload: Buffer): void;
  /** DATA payload bytes of `streamId` (padding removed). Valid during the call only. */
  onDataBytes(streamId: number, data: Buffer): void;
  /** A DATA frame ended (its flags carry END_STREAM). `bad`: its padding length exceeded the frame. */
  onDataEnd(streamId: number, flags: number, bad: boolean): void;
  /** A non-DATA frame larger than the hold cap was skipped. */
  onOversize(type: number, flags: number, streamId: number, length: number): void;
}

const enum St { Header, PadLength, Data, Padding, Payload, Skip }

export class FrameReader {
  private st = St.Header;
  private readonly head = Buffer.alloc(9);
  private headFill = 0;
  private type = 0;
  private flags = 0;
  private streamId = 0;
  /** Bytes of the current state still to come. */
  private left = 0;
  private pad = 0;
  private payload: Buffer | null = null;
  private fill = 0;

  constructor(private readonly h: FrameHandler, private readonly maxHeldFrame: number) {}

  /** Forgets the frame in progress: the next byte written is read as the start of a frame header (resync). */
  reset(): void {
    this.st = St.Header;
    this.headFill = 0;
    this.left = 0;
    this.pad = 0;
    this.payload = null;
    this.fill = 0;
  }

  write(data: Buffer): void {
    let i = 0;
    const n = data.length;
    while (i < n) {
      switch (this.st) {
        case St.Header: {
          if (this.headFill === 0 && n - i >= 9) {
            this.startFrame(data, i);
            i += 9;
          } else {
            const k = Math.min(9 - this.headFill, n - i);
            data.copy(this.head, this.headFill, i, i + k);
            this.headFill += k;
            i += k;
            if (this.headFill === 9) {
              this.headFill = 0;
              this.startFrame(this.head, 0);
            }
          }
          break;
        }
        case St.PadLength:
          this.pad = data[i++];
          this.left--;
          if (this.pad > this.left) { // malformed: treat the whole rest as padding
            this.pad = this.left;
            this.endData(true);
            this.left = this.pad;
            this.st = this.left > 0 ? St.Skip : St.Header;
          } else {
            this.left -= this.pad;
            this.st = St.Data;
            if (this.left === 0) this.afterData();
          }
          break;
        case St.Data: {
          const k = Math.min(this.left, n - i);
          this.h.onDataBytes(this.streamId, data.subarray(i, i + k));
          i += k;
          this.left -= k;
          if (this.left === 0) this.afterData();
          break;
        }
        case St.Padding:
        case St.Skip: {
          const k = Math.min(this.left, n - i);
          i += k;
          this.left -= k;
          if (this.left === 0) this.st = St.Header;
          break;
        }
        case St.Payload: {
          if (this.payload === null && n - i >= this.left) { // whole payload here: a view
            const p = data.subarray(i, i + this.left);
            i += this.left;
            this.st = St.Header;
            this.h.onFrame(this.type, this.flags, this.streamId, p);
            break;
          }
          if (this.payload === null) {
            this.payload = Buffer.allocUnsafe(this.left);
            this.fill = 0;
          }
          const k = Math.min(this.left, n - i);
          data.copy(this.payload, this.fill, i, i + k);
          this.fill += k;
          i += k;
          this.left -= k;
          if (this.left === 0) {
            const p = this.payload;
            this.payload = null;
            this.st = St.Header;
            this.h.onFrame(this.type, this.flags, this.streamId, p);
          }
          break;
        }
      }
    }
  }

  private startFrame(b: Buffer, at: number): void {
    const len = (b[at] << 16) | (b[at + 1] << 8) | b[at + 2];
    this.type = b[at + 3];
    this.flags = b[at + 4];
    this.streamId = b.readUInt32BE(at + 5) & 0x7fffffff;
    this.left = len;
    if (this.type === FRAME_DATA) {
      if (this.flags & FLAG_PADDED) {
        if (len === 0) {
          this.endData(true);
          this.st = St.Header;
        } else this.st = St.PadLength;
      } else {
        this.pad = 0;
        this.st = St.Data;
        if (len === 0) this.afterData();
      }
    } else if (len > this.maxHeldFrame) {
      this.h.onOversize(this.type, this.flags, this.streamId, len);
      this.st = St.Skip;
    } else if (len === 0) {
      this.st = St.Header;
      this.h.onFrame(this.type, this.flags, this.streamId, EMPTY);
    } else {
      this.st = St.Payload;
    }
  }

  private afterData(): void {
    this.endData(false);
    this.left = this.pad;
    this.st = this.pad > 0 ? St.Padding : St.Header;
  }

  private endData(bad: boolean): void {
    this.h.onDataEnd(this.streamId, this.flags, bad);
  }
}

/** Flags each frame type may carry (RFC 9113 §6), by type 0..9. */
const ALLOWED_FLAGS = Uint8Array.of(0x09, 0x2d, 0, 0, 0x01, 0x0c, 0x01, 0, 0, 0x04);
/** The payload of an empty frame (shared: handlers only read it). */
const EMPTY = Buffer.alloc(0);

/**
 * True when `b` starting at `at` looks like an HTTP/2 frame header: a known type, flags allowed for it,
 * a length within the default SETTINGS_MAX_FRAME_SIZE (16 384), and a stream id fitting the type
 * (0 for SETTINGS / PING / GOAWAY, non-zero for stream frames). Used to recognise HTTP/2 without the preface.
 */
export function plausibleFrameHeader(b: Buffer, at: number): boolean {
  if (b.length - at < 9) return false;
  const len = (b[at] << 16) | (b[at + 1] << 8) | b[at + 2];
  const type = b[at + 3];
  const flags = b[at + 4];
  const sid = b.readUInt32BE(at + 5);
  if (len > 16384 || type > FRAME_CONTINUATION || (sid & 0x80000000) !== 0) return false;
  const connLevel = type === FRAME_SETTINGS || type === FRAME_PING || type === FRAME_GOAWAY;
  if (connLevel !== (sid === 0) && type !== FRAME_WINDOW_UPDATE) return false;
  const allowed = ALLOWED_FLAGS[type]!;
  if ((flags & ~allowed) !== 0) return false;
  if (type === FRAME_SETTINGS && len % 6 !== 0) return false;
  if (type === FRAME_PING && len !== 8) return false;
  if ((type === FRAME_RST_STREAM || type === FRAME_WINDOW_UPDATE) && len !== 4) return false;
  return true;
}

/**
 * True when `b` starts with a plausible frame header and, when `b` holds the position of the next one
 * (9 + length), that one is plausible too. Used wherever a frame boundary is guessed: the first data of a
 * connection seen mid-stream (src/protocol/detect.ts), a later chunk of such a connection not yet
 * recognised (src/protocol/switch.ts), and a direction resynchronising after a gap (connection.ts).
 */
export function plausibleFrameStart(b: Buffer): boolean {
  if (!plausibleFrameHeader(b, 0)) return false;
  const next = 9 + ((b[0] << 16) | (b[1] << 8) | b[2]);
  return b.length < next + 9 || plausibleFrameHeader(b, next);
}
