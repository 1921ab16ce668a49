/** What every connection of one HttpStreamFactory shares. */
import type { Counters } from '../util/counters.js';
import type { ByteBudget } from './byte-budget.js';
import type { HttpOptions } from './options.js';
import type { ExchangeSink, RequestPolicy } from './types.js';

export interface HttpContext {
  readonly sink: ExchangeSink;
  readonly policy: RequestPolicy;
  readonly opts: HttpOptions;
  readonly counters: Counters;
  /** Captured body bytes held across all connections (HttpOptions.maxBodyBufferTotal). */
  readonly budget: ByteBudget;
  /** Request head bytes held by exchanges not yet emitted (HttpOptions.maxHeadBytesTotal). */
  readonly heads: ByteBudget;
}
