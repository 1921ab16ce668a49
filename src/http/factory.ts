/**
 * Entry point of the HTTP stage: one HttpConnection per TCP connection, all sharing the sink, the
 * policy, the limits, the counters and the global body budget.
 */
import type { ConnectionInfo, StreamConsumer, StreamConsumerFactory } from '../reassembly/types.js';
import type { Counters } from '../util/counters.js';
import { BodyBudget } from './body.js';
import { HttpConnection } from './connection.js';
import type { HttpContext } from './context.js';
import { resolveHttpOptions, type HttpOptions } from './options.js';
import type { ExchangeSink, RequestPolicy } from './types.js';

export class HttpStreamFactory implements StreamConsumerFactory {
  private readonly ctx: HttpContext;

  /** Throws RangeError on invalid options (configuration time, never on traffic). */
  constructor(sink: ExchangeSink, policy: RequestPolicy, options: Partial<HttpOptions>, counters: Counters) {
    const opts = resolveHttpOptions(options);
    this.ctx = { sink, policy, opts, counters, budget: new BodyBudget(opts.maxBodyBufferTotal) };
  }

  create(conn: ConnectionInfo): StreamConsumer {
    this.ctx.counters.inc('http.connections');
    return new HttpConnection(conn, this.ctx);
  }

  /** Captured body bytes currently held by unfinished exchanges (for stats and tests). */
  get bodyBytesHeld(): number {
    return this.ctx.budget.held;
  }

  get options(): Readonly<HttpOptions> {
    return this.ctx.opts;
  }
}
