/**
 * The open streams of one HTTP/2 connection, and what is known of those that ended.
 *
 * Contract:
 * - Ownership: a stream is in the table from `open` (or `fromUpgrade`) until it is emitted; the connection
 *   finds it by id (`get`) and never keeps one itself. `done` is the only place a stream is emitted, and it
 *   is emitted exactly once: when both directions ended (`endSide`), when it is cut (`cut`: overflow, pushed
 *   out of the linger list, connection close), with `clientDir` telling its emission whether roles were swapped.
 * - Caps: at most MAX_OPEN_STREAMS open; opening one more cuts the oldest (`interrupted`,
 *   `http2.stream_overflow`). At most LINGER_STREAMS reset streams kept open for late frames; one more
 *   reset cuts the oldest of them (not `interrupted`: the reset says why). A stream emitted without its
 *   request (nor promised) is `interrupted` (`http2.response_without_request`).
 * - `ended(id)`: whether an id not open lies within the ids opened by its initiator (see `opened`), for
 *   `http2.data_after_end`. Nothing here allocates per frame.
 */
import type { ConnectionInfo, Direction } from '../reassembly/types.js';
import type { HttpContext } from '../http/context.js';
import type { PendingExchange } from '../http/pending-exchange.js';
import { H2Stream } from './stream.js';

/** Open streams per connection. */
export const MAX_OPEN_STREAMS = 256;
/** Reset streams kept open at once for frames that were in flight (see linger). */
export const LINGER_STREAMS = 16;

export class StreamTable {
  private readonly streams = new Map<number, H2Stream>();
  /** Reset streams kept open for late frames, oldest first (at most LINGER_STREAMS). */
  private readonly lingering: H2Stream[] = [];
  /**
   * Lowest and highest stream id opened, per initiator (index: id % 2). DATA for a stream no longer open
   * whose id lies in that range belongs to a stream that ended (emitted, reset and pushed out of the
   * linger list, cut by the overflow) or that a higher id closed (RFC 9113 §5.1.1): `http2.data_after_end`.
   * Below it (opened before a mid-stream join) or above it (never opened), DATA is dropped uncounted.
   */
  private readonly opened: Array<[number, number]> = [[0, 0], [0, 0]];
  private depth = 0;
  /** The direction of the client (1 when the preface came from the side the assembler took for the server). */
  clientDir: Direction = 0;

  constructor(private readonly ctx: HttpContext, private readonly conn: ConnectionInfo) {}

  get(id: number): H2Stream | undefined {
    return this.streams.get(id);
  }

  /** The open streams, oldest first. */
  all(): IterableIterator<H2Stream> {
    return this.streams.values();
  }

  /** Stream 1 of an h2c upgrade: the HTTP/1.1 request already seen. */
  fromUpgrade(upgrade: PendingExchange): void {
    this.streams.set(1, H2Stream.fromUpgrade(this.ctx, this.conn, upgrade, ++this.depth));
    this.opened[1] = [1, 1];
  }

  open(id: number, fields: string[] | null, sec: number, nsec: number): H2Stream {
    if (this.streams.size >= MAX_OPEN_STREAMS) {
      const oldest = this.streams.values().next().value as H2Stream;
      this.ctx.counters.inc('http2.stream_overflow');
      this.cut(oldest, sec, nsec);
    }
    const s = new H2Stream(this.ctx, this.conn, id, ++this.depth, fields, sec, nsec);
    if (this.conn.midStream) s.ex.flag('mid_stream');
    this.streams.set(id, s);
    const range = this.opened[id % 2]!;
    if (range[0] === 0 || id < range[0]) range[0] = id;
    range[1] = Math.max(range[1], id);
    return s;
  }

  /** Whether `sid`, not open, is a stream that was opened here and has ended (see `opened`). */
  ended(sid: number): boolean {
    const [lo, hi] = this.opened[sid % 2]!;
    return sid !== 0 && lo !== 0 && sid >= lo && sid <= hi;
  }

  /**
   * A reset stream stays open a little: frames the peer sent before it saw the reset may come after it in
   * the capture (the two directions interleave). It is emitted when LINGER_STREAMS later streams were reset,
   * when both directions end anyway, or at the close; at once when the response had already ended.
   */
  linger(s: H2Stream, sec: number, nsec: number): void {
    if (!s.requestEnded) s.endRequest(sec, nsec);
    if (s.responseEnded) {
      this.done(s);
      return;
    }
    if (this.lingering.includes(s)) return;
    this.lingering.push(s);
    if (this.lingering.length > LINGER_STREAMS) {
      const oldest = this.lingering.shift() as H2Stream;
      if (this.streams.get(oldest.id) === oldest) this.cut(oldest, sec, nsec, false);
    }
  }

  /** END_STREAM from `dir` on `sid`: that side ends; the stream is emitted once both have. */
  endSide(dir: Direction, sid: number, sec: number, nsec: number): void {
    const s = this.streams.get(sid);
    if (s === undefined) return;
    if (dir === this.clientDir) s.endRequest(sec, nsec);
    else if (s.ex.response !== null) s.endResponse(sec, nsec);
    if (s.requestEnded && s.responseEnded) this.done(s);
  }

  /** Cuts every open stream (the connection closed). */
  closeAll(sec: number, nsec: number): void {
    for (const s of [...this.streams.values()]) this.cut(s, sec, nsec);
  }

  /** Ends a stream that will not complete normally (reset, overflow, close); `interrupted` when cut mid-message. */
  private cut(s: H2Stream, sec: number, nsec: number, interrupted = true): void {
    if (interrupted && !s.ex.flags.includes('reset') && (!s.requestEnded || (s.ex.response !== null && !s.responseEnded))) s.ex.flag('interrupted');
    if (!s.requestEnded) s.endRequest(sec, nsec);
    if (!s.responseEnded) s.endResponse(sec, nsec);
    this.done(s);
  }

  /** Emits a stream; one whose request was never seen (nor promised) is `interrupted`. */
  private done(s: H2Stream): void {
    if (!s.requestSeen && !s.ex.flags.includes('pushed')) {
      this.ctx.counters.inc('http2.response_without_request');
      s.ex.flag('interrupted');
    }
    this.streams.delete(s.id);
    const at = this.lingering.indexOf(s); // at most LINGER_STREAMS entries
    if (at >= 0) this.lingering.splice(at, 1);
    s.emit(this.clientDir === 1);
  }
}
