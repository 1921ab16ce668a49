/**
 * Line reading for the message parser: the one place a line's end is found. A line whole in the data of an
 * execute() call is read in place; a line that spans calls is held (its bytes, in a buffer that grows by
 * doubling) and joined with the rest when its LF arrives. A line ends at LF; one CR before it is dropped (the
 * high bit cleared, as http-parser-js read 0x8D); `lfOnly` tells a line ended by LF alone.
 */
export class LineReader {
  /** A line held across calls (no LF yet): held[0, heldLength), or null. */
  held: Buffer | null = null;
  heldLength = 0;
  /** The line next() read: buf[start, end), LF and one CR excluded; `from`: its first byte in the call's data. */
  buf: Buffer | null = null;
  start = 0;
  end = 0;
  from = 0;
  lfOnly = false;

  /**
   * Reads the line at data[offset, limit): the offset after its LF, or -1 when there is no LF (the bytes are
   * then held). After a joined line, heldLength is the joined length (buf[0, heldLength), CR included).
   */
  next(data: Buffer, offset: number, limit: number): number {
    const lf = data.indexOf(0x0a, offset);
    if (lf === -1 || lf >= limit) {
      this.hold(data, offset, limit);
      return -1;
    }
    this.from = offset;
    let b = data;
    let s = offset;
    let e = lf;
    if (this.held !== null) {
      this.hold(data, offset, lf);
      b = this.held;
      e = this.heldLength;
      s = 0;
      this.held = null;
    }
    this.lfOnly = !(e > s && (b[e - 1]! & 0x7f) === 0x0d);
    this.buf = b;
    this.start = s;
    this.end = this.lfOnly ? e : e - 1;
    return lf + 1;
  }

  /** Appends data[start, end) to the held line. */
  private hold(data: Buffer, start: number, end: number): void {
    let buf = this.held;
    const len = buf === null ? 0 : this.heldLength;
    const need = len + end - start;
    if (buf === null || need > buf.length) {
      const grown = Buffer.allocUnsafe(need < 64 ? 128 : 2 * need);
      if (buf !== null) buf.copy(grown, 0, 0, len);
      this.held = buf = grown;
    }
    data.copy(buf, len, start, end);
    this.heldLength = need;
  }
}
