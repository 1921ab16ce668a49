/**
 * Every connection the assembler knows, by the structures it sits in, and the one way out of
 * them (close):
 *
 *  - table:     the flow table (open and lingering connections), keyed by 4-tuple hash.
 *  - open:      open connections, one activity-ordered list per stage (open-connections.ts).
 *  - lingering: connections closed by FIN/RST, kept closedLingerSec so that their stray packets
 *               are ignored; oldest close first. At most maxConnections (the oldest is dropped).
 *  - waiting:   open connections with pending data (Set order: the one waiting longest first).
 *               The stream-timeout sweep and the total cap visit only these.
 *
 * Owned by one Assembler; its parts (caps, timeouts, the segment path) call close() and
 * updateWaiting() so that a connection is always in the structures its state says.
 */
import type { Counters } from '../util/counters.js';
import type { CloseReason } from './types.js';
import { ConnList } from './conn-list.js';
import { Connection, ConnState } from './connection.js';
import { OpenConnections } from './open-connections.js';
import { FlowTable } from './flow-table.js';
import type { AssemblerOptions } from './options.js';
import type { PacketClock } from './packet-clock.js';

const CLOSE_COUNTER: Record<CloseReason, string> = {
  fin: 'reassembly.close_fin',
  rst: 'reassembly.close_rst',
  timeout: 'reassembly.close_timeout',
  evicted: 'reassembly.close_evicted',
  end: 'reassembly.close_end',
};

export class ConnectionRegistry {
  readonly table: FlowTable;
  /** Open connections by stage, each list least recently active first. */
  readonly open = new OpenConnections();
  /** Connections closed by FIN/RST, kept closedLingerSec; oldest close first. At most maxConnections. */
  readonly lingering = new ConnList<Connection>();
  /** Open connections with pending data (Set order: the one waiting longest first). */
  readonly waiting = new Set<Connection>();

  constructor(
    private readonly options: AssemblerOptions,
    private readonly counters: Counters,
    private readonly clock: PacketClock,
    /** Hash seed for the flow table (tests); random by default. */
    flowHashSeed?: number,
  ) {
    this.table = new FlowTable(flowHashSeed);
  }

  /** Puts the connection in, or takes it out of, the waiting set to match conn.hasPending(). */
  updateWaiting(conn: Connection): void {
    const pending = conn.hasPending();
    if (pending === conn.waiting) return;
    conn.waiting = pending;
    if (pending) this.waiting.add(conn);
    else this.waiting.delete(conn);
  }

  /**
   * Flushes held data (gaps first), gives up the connection's queues, tells the consumer, and either
   * keeps the connection as a lingering entry (FIN/RST: its stray packets are then ignored) or forgets it.
   * Does nothing unless the connection is open, so onClose is called once per connection.
   */
  close(conn: Connection, reason: CloseReason, linger: boolean): void {
    if (conn.state !== ConnState.Open) return;
    const tsSec = this.clock.sec;
    const tsNsec = this.clock.nsec;
    conn.flush(tsSec, tsNsec);
    conn.releaseQueues();
    if (conn.waiting) {
      conn.waiting = false;
      this.waiting.delete(conn);
    }
    this.open.remove(conn);
    this.counters.inc(CLOSE_COUNTER[reason]);
    conn.emitClose(reason, tsSec, tsNsec);
    if (!linger) {
      conn.state = ConnState.Removed;
      this.table.remove(conn);
      return;
    }
    conn.state = ConnState.Lingering;
    conn.closedAt = this.clock.now;
    this.lingering.append(conn);
    if (this.lingering.size > this.options.maxConnections) this.dropLingering(this.lingering.head!);
  }

  /** Forgets a lingering connection: its next packet opens a new connection. */
  dropLingering(conn: Connection): void {
    this.lingering.remove(conn);
    conn.state = ConnState.Removed;
    this.table.remove(conn);
  }

  /** End of capture: closes every open connection with 'end' and forgets every lingering one. */
  endAll(): void {
    for (let c = this.open.victim(); c !== null; c = this.open.victim()) this.close(c, 'end', false);
    for (let c = this.lingering.head; c !== null; c = this.lingering.head) this.dropLingering(c);
  }

  /** Empties the waiting set and the flow table (after endAll, even if it failed half way). */
  clear(): void {
    this.waiting.clear();
    this.table.clear();
  }
}
