/**
 * The bounded queue between the capture loop and the satellite exporters.
 *
 * A ring buffer of exchanges capped both in count and in (estimated) bytes. `push` never blocks
 * and never grows past the caps: when either cap would be exceeded it refuses the newest exchange
 * (the caller counts the drop), as OpenTelemetry's BatchSpanProcessor does. The queue owns the
 * exchanges it holds until `takeBatch` hands them out.
 */
import type { HttpExchange, HeaderList } from '../http/types.js';

/** Fixed overhead charged per exchange for objects and strings not measured below, bytes. */
const EXCHANGE_OVERHEAD_BYTES = 512;

function headerBytes(h: HeaderList): number {
  let n = 0;
  for (let i = 0; i < h.length; i++) n += h[i]![0].length + h[i]![1].length + 32;
  return n;
}

/**
 * Approximate memory an exchange holds, in bytes: captured bodies, headers, target, plus a fixed
 * overhead. O(number of headers); called once per exchange, off the per-packet path.
 */
export function estimateExchangeBytes(ex: HttpExchange): number {
  let n = EXCHANGE_OVERHEAD_BYTES + ex.request.target.length + headerBytes(ex.request.headers);
  if (ex.request.body.bytes !== null) n += ex.request.body.bytes.length;
  const rs = ex.response;
  if (rs !== null) {
    n += headerBytes(rs.headers);
    if (rs.body.bytes !== null) n += rs.body.bytes.length;
  }
  return n;
}

export interface TakenBatch {
  exchanges: HttpExchange[];
  bytes: number;
}

export class ExchangeQueue {
  private readonly items: Array<HttpExchange | undefined>;
  private readonly sizes: Float64Array;
  private head = 0;
  private count = 0;
  private bytesHeld = 0;

  /**
   * @param maxExchanges capacity in exchanges (>= 1)
   * @param maxBytes capacity in estimated bytes (>= 1); one exchange larger than this is always refused
   */
  constructor(readonly maxExchanges: number, readonly maxBytes: number) {
    if (!(maxExchanges >= 1) || !(maxBytes >= 1)) throw new RangeError('ExchangeQueue caps must be >= 1');
    this.items = new Array(maxExchanges);
    this.sizes = new Float64Array(maxExchanges);
  }

  get depth(): number { return this.count; }
  get bytes(): number { return this.bytesHeld; }

  /** Appends unless a cap would be exceeded; false means the exchange was refused (not kept). */
  push(ex: HttpExchange, bytes: number): boolean {
    if (this.count >= this.maxExchanges || this.bytesHeld + bytes > this.maxBytes) return false;
    const slot = (this.head + this.count) % this.maxExchanges;
    this.items[slot] = ex;
    this.sizes[slot] = bytes;
    this.count++;
    this.bytesHeld += bytes;
    return true;
  }

  /**
   * Removes and returns the oldest exchanges, at most `maxCount` of them and at most `maxBytes`
   * estimated bytes in total, except that the first exchange is always taken (a single exchange
   * larger than maxBytes still leaves as a batch of one). Empty when the queue is empty.
   */
  takeBatch(maxCount: number, maxBytes: number): TakenBatch {
    const out: HttpExchange[] = [];
    let bytes = 0;
    while (this.count > 0 && out.length < maxCount) {
      const size = this.sizes[this.head]!;
      if (out.length > 0 && bytes + size > maxBytes) break;
      out.push(this.items[this.head]!);
      this.items[this.head] = undefined;
      bytes += size;
      this.bytesHeld -= size;
      this.head = (this.head + 1) % this.maxExchanges;
      this.count--;
    }
    return { exchanges: out, bytes };
  }
}
