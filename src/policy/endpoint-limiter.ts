/**
 * Per-endpoint token buckets (--rate-limit-per-endpoint), keyed by endpointKey(method, path), in a
 * table bounded by `maxEndpoints` with approximate least-recently-used eviction (the CLOCK /
 * second-chance scheme: a hit only sets a flag; eviction walks from the oldest entry, giving each
 * flagged entry one more round and evicting the first unflagged one). An endpoint used at least
 * once per sweep of the table is never evicted, and a hit costs one Map lookup.
 *
 * When the table is full and a new endpoint arrives, an endpoint not used recently loses its bucket
 * (counted in `evictions`). If it comes back it gets a new, full bucket: eviction can only make the
 * per-endpoint limit more lenient, never drop a request on its own. The global limit still applies.
 *
 * Memory: at most maxEndpoints entries of one key (<= ENDPOINT_KEY_MAX_LENGTH characters) and one
 * TokenBucket each; about 0.6 KiB per entry at the longest key, ~6 MiB at the default cap.
 */
import { TokenBucket } from './token-bucket.js';

/** Default cap on the number of endpoint buckets. */
export const DEFAULT_MAX_ENDPOINTS = 10_000;

class EndpointEntry {
  /** Set on every hit, cleared when the eviction sweep passes over the entry. */
  referenced = false;
  constructor(readonly bucket: TokenBucket) {}
}

export class EndpointLimiter {
  /** Insertion order = sweep order: the first key is the next eviction candidate. */
  private readonly buckets = new Map<string, EndpointEntry>();
  /** Buckets dropped to stay within maxEndpoints. */
  evictions = 0;

  constructor(
    private readonly perMinute: number,
    private readonly burstSeconds: number,
    readonly maxEndpoints: number = DEFAULT_MAX_ENDPOINTS,
  ) {
    if (!(perMinute > 0)) throw new RangeError(`perMinute must be > 0, got ${perMinute}`);
    if (!Number.isInteger(maxEndpoints) || maxEndpoints < 1) throw new RangeError(`maxEndpoints must be >= 1, got ${maxEndpoints}`);
  }

  /**
   * The bucket of `key`, refilled to the given packet time and marked as used; created full when
   * absent (evicting one entry first when the table is full).
   */
  bucketFor(key: string, tsSec: number, tsNsec: number): TokenBucket {
    let entry = this.buckets.get(key);
    if (entry === undefined) {
      if (this.buckets.size >= this.maxEndpoints) this.evictOne();
      entry = new EndpointEntry(new TokenBucket(this.perMinute, this.burstSeconds));
      this.buckets.set(key, entry);
    } else {
      entry.referenced = true;
    }
    entry.bucket.refill(tsSec, tsNsec);
    return entry.bucket;
  }

  /** Second-chance sweep: at most one full pass over the table (every entry flagged), then evicts. */
  private evictOne(): void {
    for (;;) {
      const first = this.buckets.entries().next().value as [string, EndpointEntry];
      const [key, entry] = first;
      this.buckets.delete(key);
      if (!entry.referenced) {
        this.evictions++;
        return;
      }
      entry.referenced = false;
      this.buckets.set(key, entry); // moved to the end of the sweep
    }
  }

  /** Number of endpoints currently tracked (<= maxEndpoints). */
  get size(): number {
    return this.buckets.size;
  }

  /** True when `key` currently has a bucket (for tests). */
  has(key: string): boolean {
    return this.buckets.has(key);
  }
}
