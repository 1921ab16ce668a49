/**
 * The assembler's clock: the newest packet time seen. Packet time drives every timeout; the wall
 * clock is never read. The clock only moves forward: an older packet does not rewind it.
 * One instance per Assembler, shared (read-only) by the parts that need the time.
 */
export class PacketClock {
  /** Newest packet time seen, as (sec, nsec) ... */
  sec = 0;
  nsec = 0;
  /** ... and as seconds. */
  now = 0;

  /** Moves the clock to (sec, nsec) if that is later than the current time; otherwise does nothing. */
  advance(sec: number, nsec: number): void {
    if (sec > this.sec || (sec === this.sec && nsec > this.nsec)) {
      this.sec = sec;
      this.nsec = nsec;
      this.now = sec + nsec / 1e9;
    }
  }
}
