/**
 * The assembler's timeout sweeps, run at most once every timeoutCheckIntervalSec of packet time
 * (from Assembler.onPacket or tick). A silent connection therefore sees its gap or idle close at
 * most that much late; a connection that receives a packet has its own holes checked right then
 * (segment-path.ts).
 *
 * No sweep scans every connection:
 *  - stream timeout: only the `waiting` set (connections holding data) is visited.
 *  - idle timeout: each stage's list of open connections is ordered by last activity (packet time
 *    never goes backwards), so the sweep stops at the first connection that is not idle.
 *  - linger: the lingering list is ordered by close time; only the expired head is removed.
 */
import type { Counters } from '../util/counters.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { AssemblerOptions } from './options.js';
import type { PacketClock } from './packet-clock.js';

export class TimeoutSweeper {
  /** Packet time (s) at or after which the next sweep runs. */
  private nextCheckAt = 0;

  constructor(
    private readonly options: AssemblerOptions,
    private readonly counters: Counters,
    private readonly conns: ConnectionRegistry,
    private readonly clock: PacketClock,
  ) {}

  /** Runs the sweeps if timeoutCheckIntervalSec of packet time has passed since the last run. */
  maybeRun(): void {
    const now = this.clock.now;
    if (now < this.nextCheckAt) return;
    const o = this.options;
    this.nextCheckAt = now + o.timeoutCheckIntervalSec;
    const conns = this.conns;
    const tsSec = this.clock.sec;
    const tsNsec = this.clock.nsec;
    for (const conn of conns.waiting) {
      const a = conn.toServer.flushExpired(now, o.streamTimeoutSec, tsSec, tsNsec);
      const b = conn.toClient.flushExpired(now, o.streamTimeoutSec, tsSec, tsNsec);
      if (a || b) this.counters.inc('reassembly.gap_timeout');
      conns.updateWaiting(conn);
      if (conn.finished()) conns.close(conn, 'fin', true);
    }
    for (const list of conns.open.lists) {
      for (let c = list.head; c !== null && now - c.lastSeen >= o.idleTimeoutSec; c = list.head) {
        conns.close(c, c.anyFin() ? 'fin' : 'timeout', false);
      }
    }
    const lingering = conns.lingering;
    for (let c = lingering.head; c !== null && now - c.closedAt >= o.closedLingerSec; c = lingering.head) {
      conns.dropLingering(c);
    }
  }
}
