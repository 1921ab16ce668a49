/**
 * Bytes a side holds back, at most `max` in all: the request side's bytes sent while a CONNECT / Upgrade
 * request awaits its answer, the response side's early response (copies, since the data given to a side
 * is valid only during the call), and a side's replay queue (pieces already owned, appended). Taking them
 * hands the list over and leaves this holder empty.
 */
export class HeldBytes {
  private list: Buffer[] = [];
  /** Bytes held. */
  bytes = 0;
  /** Time of the first held piece (the time the held bytes are replayed with). */
  sec = 0;
  nsec = 0;

  constructor(private readonly max: number) {}

  /** Copies data[off..] when it fits under the cap; false (nothing kept) when it does not. */
  add(data: Buffer, off: number, sec: number, nsec: number): boolean {
    const n = data.length - off;
    if (this.bytes + n > this.max) return false;
    if (this.bytes === 0) {
      this.sec = sec;
      this.nsec = nsec;
    }
    const copy = Buffer.allocUnsafeSlow(n); // its own ArrayBuffer: a held copy never pins a slab of the shared pool
    data.copy(copy, 0, off);
    this.list.push(copy);
    this.bytes += n;
    return true;
  }

  /** Appends pieces the caller hands over (no copy, no cap); the time is kept from the first. */
  append(pieces: Buffer[], sec: number, nsec: number): void {
    for (const b of pieces) {
      if (this.bytes === 0) {
        this.sec = sec;
        this.nsec = nsec;
      }
      this.list.push(b);
      this.bytes += b.length;
    }
  }

  /** The held pieces in order; the holder is empty afterwards. */
  take(): Buffer[] {
    const out = this.list;
    this.list = [];
    this.bytes = 0;
    return out;
  }

  /** Drops everything held; returns how many bytes that was. */
  drop(): number {
    const n = this.bytes;
    if (n > 0) this.take();
    return n;
  }
}
