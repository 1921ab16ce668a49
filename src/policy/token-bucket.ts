/**
 * A token bucket driven by packet time (seconds + nanoseconds since the epoch), so that replaying a
 * capture gives the same decisions on every run, whatever the wall clock does.
 *
 * Rate: `perMinute` tokens per minute, added continuously (perMinute / 60 per second), not once per
 * minute. Capacity (the burst): perMinute * burstSeconds / 60 tokens, at least 1. The bucket starts
 * full at the first timestamp it sees. Consequences, for a limit N per minute and burst B seconds:
 *  - the long-run admitted rate is exactly N per minute;
 *  - any 60-second window admits at most N + N*B/60 (the saved-up burst plus one minute of refill);
 *  - a steady flood is admitted one request every 60/N seconds.
 *
 * Packet time is not monotonic across interfaces or connections: a timestamp earlier than the last
 * one seen adds no tokens and does not move the bucket's clock back (refill() returns false).
 *
 * Call order per decision: refill(ts) -> hasToken() -> take() (only when admitting).
 */

/** Allowance for floating-point error when comparing the token count with 1. */
const TOKEN_EPSILON = 1e-6;
const NS_PER_SEC = 1e9;

export class TokenBucket {
  /** Tokens added per second of packet time. */
  readonly ratePerSec: number;
  /** Most tokens the bucket holds (the burst). */
  readonly capacity: number;
  private tokens: number;
  private lastSec = 0;
  private lastNsec = 0;
  private started = false;

  /**
   * @param perMinute tokens per minute, > 0 (a limit of 0 means "no bucket": the caller skips it)
   * @param burstSeconds seconds of refill the bucket can save up, > 0
   */
  constructor(perMinute: number, burstSeconds: number) {
    if (!(perMinute > 0) || !Number.isFinite(perMinute)) throw new RangeError(`perMinute must be > 0, got ${perMinute}`);
    if (!(burstSeconds > 0) || !Number.isFinite(burstSeconds)) throw new RangeError(`burstSeconds must be > 0, got ${burstSeconds}`);
    this.ratePerSec = perMinute / 60;
    this.capacity = Math.max(1, this.ratePerSec * burstSeconds);
    this.tokens = this.capacity;
  }

  /** Adds the tokens earned since the last call. Returns false when `tsSec/tsNsec` is in the past. */
  refill(tsSec: number, tsNsec: number): boolean {
    if (!this.started) {
      this.started = true;
      this.lastSec = tsSec;
      this.lastNsec = tsNsec;
      return true;
    }
    const dt = (tsSec - this.lastSec) + (tsNsec - this.lastNsec) / NS_PER_SEC;
    if (dt < 0) return false;
    if (dt > 0) {
      const t = this.tokens + dt * this.ratePerSec;
      this.tokens = t > this.capacity ? this.capacity : t;
      this.lastSec = tsSec;
      this.lastNsec = tsNsec;
    }
    return true;
  }

  hasToken(): boolean {
    return this.tokens >= 1 - TOKEN_EPSILON;
  }

  /** Spends one token. Only call after hasToken() returned true for the same timestamp. */
  take(): void {
    this.tokens -= 1;
  }

  /** Current token count (for tests and diagnostics). */
  available(): number {
    return this.tokens;
  }
}
