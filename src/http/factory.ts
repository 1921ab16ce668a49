/**
 * Entry point of the HTTP stage: one consumer per TCP connection, all sharing the sink, the policy,
 * the limits, the counters and the global body budget.
 *
 * Memory: the consumer the assembler gets for a new connection is a small DeferredHttpConnection
 * (the ConnectionInfo and one reference, about 40 bytes). The HTTP state (two parsers, pairing queue,
 * role probe: about 1.5 KiB) is built on the first data or gap. A connection that never carries
 * payload (a SYN flood entry, an unanswered or idle handshake) therefore costs the HTTP stage almost
 * nothing; `httpStatesOpen` counts the connections whose HTTP state exists.
 */
import type { CloseReason, ConnectionInfo, Direction, StreamConsumer, StreamConsumerFactory } from '../reassembly/types.js';
import type { Counters } from '../util/counters.js';
import { ByteBudget } from './byte-budget.js';
import { ProtocolSwitch } from '../protocol/switch.js';
import type { HttpContext } from './context.js';
import { resolveHttpOptions, type HttpOptions } from './options.js';
import type { ExchangeSink, RequestPolicy } from './types.js';

/** Live HTTP states of one factory (a deterministic memory measure for tests and the stats line). */
interface StateCount {
  open: number;
}

/**
 * The consumer of one TCP connection. Its HttpConnection exists from the first onData / onGap until
 * onClose; a connection closed before any data or gap never gets one (nothing to report: its onClose
 * would find no message in progress).
 */
class DeferredHttpConnection implements StreamConsumer {
  private http: StreamConsumer | null = null;
  private closed = false;

  constructor(
    private readonly info: ConnectionInfo,
    private readonly ctx: HttpContext,
    private readonly states: StateCount,
  ) {}

  onData(dir: Direction, data: Buffer, tsSec: number, tsNsec: number): void {
    this.state()?.onData(dir, data, tsSec, tsNsec);
  }

  onGap(dir: Direction, length: number, tsSec: number, tsNsec: number): void {
    this.state()?.onGap(dir, length, tsSec, tsNsec);
  }

  onClose(reason: CloseReason, tsSec: number, tsNsec: number): void {
    if (this.closed) return;
    this.closed = true;
    const http = this.http;
    if (http === null) return;
    this.http = null; // released with this consumer, and not kept by a caller that still holds it
    this.states.open--;
    http.onClose(reason, tsSec, tsNsec);
  }

  /** The HTTP state, built on first use (HTTP/1 or HTTP/2 by the first data: src/protocol/switch.ts); null after close. */
  private state(): StreamConsumer | null {
    if (this.http === null && !this.closed) {
      this.http = new ProtocolSwitch(this.info, this.ctx);
      this.states.open++;
    }
    return this.http;
  }
}

export class HttpStreamFactory implements StreamConsumerFactory {
  private readonly ctx: HttpContext;
  private readonly states: StateCount = { open: 0 };

  /** Throws RangeError on invalid options (configuration time, never on traffic). */
  constructor(sink: ExchangeSink, policy: RequestPolicy, options: Partial<HttpOptions>, counters: Counters) {
    const opts = resolveHttpOptions(options);
    this.ctx = {
      sink, policy, opts, counters,
      budget: new ByteBudget(opts.maxBodyBufferTotal), heads: new ByteBudget(opts.maxHeadBytesTotal),
    };
  }

  /** Counts every TCP connection (`http.connections`); the HTTP state is built on its first data or gap. */
  create(conn: ConnectionInfo): StreamConsumer {
    this.ctx.counters.inc('http.connections');
    return new DeferredHttpConnection(conn, this.ctx, this.states);
  }

  /** Captured body bytes currently held by unfinished exchanges (for stats and tests). */
  get bodyBytesHeld(): number {
    return this.ctx.budget.held;
  }

  /** Request head bytes currently held by exchanges not yet emitted (for stats and tests). */
  get headBytesHeld(): number {
    return this.ctx.heads.held;
  }

  /** Connections whose HTTP state (parsers, pairing queue) exists: they carried data or a gap and are not closed. */
  get httpStatesOpen(): number {
    return this.states.open;
  }

  get options(): Readonly<HttpOptions> {
    return this.ctx.opts;
  }
}
