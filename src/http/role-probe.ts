/**
 * Guessed roles (no SYN seen): the first message start seen in either direction decides which TCP
 * direction is the client. A direction whose first bytes are too short to tell is kept (a copy of at
 * most MAX_START_PROBE bytes, with its time) until more arrive, a gap, or the close; the connection
 * takes the kept bytes (takeKept) and queues them to the side they belong to, ahead of later bytes.
 */
import type { Direction } from '../reassembly/types.js';
import type { Counters } from '../util/counters.js';
import { MAX_START_PROBE } from './message-start.js';
import { classifyAnyStart } from './resync.js';
import { ROLE_REQUEST, ROLE_RESPONSE, type Role } from './side-types.js';

export class RoleProbe {
  /** TCP direction -> role. */
  readonly roleOf: [Role, Role] = [ROLE_REQUEST, ROLE_RESPONSE];
  decided: boolean;
  swapped = false;
  /** Per direction, a short first chunk kept until it shows a message start, and its time. */
  private readonly kept: [Buffer | null, Buffer | null] = [null, null];
  readonly keptSec: [number, number] = [0, 0];
  readonly keptNsec: [number, number] = [0, 0];

  constructor(rolesGuessed: boolean, private readonly counters: Counters) {
    this.decided = !rolesGuessed;
  }

  /**
   * Returns the bytes of `dir` to process now (with its kept prefix in front), or null when they are too
   * short to tell (kept). Once decided, the other direction's kept prefix waits in takeKept().
   */
  decide(dir: Direction, data: Buffer, sec: number, nsec: number): Buffer | null {
    const kept = this.kept[dir];
    const all = kept === null ? data : Buffer.concat([kept, data]);
    const kind = classifyAnyStart(all);
    if (kind === 'undecided' && all.length < MAX_START_PROBE) {
      if (kept === null) {
        this.keptSec[dir] = sec;
        this.keptNsec[dir] = nsec;
      }
      this.kept[dir] = Buffer.from(all);
      return null;
    }
    this.kept[dir] = null;
    this.decided = true;
    if (kind === 'request' || kind === 'response') {
      const clientDir = kind === 'request' ? dir : 1 - dir;
      if (clientDir === 1) {
        this.roleOf[0] = ROLE_RESPONSE;
        this.roleOf[1] = ROLE_REQUEST;
        this.swapped = true;
        this.counters.inc('http.roles_swapped');
      }
    }
    return all;
  }

  /** Ends role guessing with the current mapping (a gap or the close). */
  stop(): void {
    this.decided = true;
  }

  /** The kept prefix of `dir` (once decided), handed over to the caller; null when none. */
  takeKept(dir: Direction): Buffer | null {
    const k = this.kept[dir];
    this.kept[dir] = null;
    return k;
  }
}
