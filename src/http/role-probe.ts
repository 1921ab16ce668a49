/**
 * Guessed roles (no SYN seen): the first message start seen in either direction decides which TCP
 * direction is the client. A direction whose first bytes are too short to tell is kept (a copy of at
 * most MAX_START_PROBE bytes) until more arrive, a gap, or the close.
 */
import type { Direction } from '../reassembly/types.js';
import type { HttpConnection } from './connection.js';
import { MAX_START_PROBE } from './message-start.js';
import { classifyAnyStart } from './resync.js';
import { ROLE_REQUEST, ROLE_RESPONSE } from './side.js';

export class RoleProbe {
  /** TCP direction -> role. */
  readonly roleOf: [0 | 1, 0 | 1] = [ROLE_REQUEST, ROLE_RESPONSE];
  decided: boolean;
  swapped = false;
  /** Per direction, a short first chunk kept until it shows a message start. */
  private readonly kept: [Buffer | null, Buffer | null] = [null, null];

  constructor(rolesGuessed: boolean) {
    this.decided = !rolesGuessed;
  }

  /**
   * Returns the bytes to process now (with a kept prefix of this direction in front), or null when the
   * data is too short to tell. May feed the other direction's kept prefix to `c` first (it arrived earlier).
   */
  decide(c: HttpConnection, dir: Direction, data: Buffer): Buffer | null {
    const kept = this.kept[dir];
    const all = kept === null ? data : Buffer.concat([kept, data]);
    const kind = classifyAnyStart(all);
    if (kind === 3 && all.length < MAX_START_PROBE) {
      this.kept[dir] = Buffer.from(all);
      return null;
    }
    this.kept[dir] = null;
    this.decided = true;
    if (kind === 1 || kind === 2) {
      const clientDir = kind === 1 ? dir : 1 - dir;
      if (clientDir === 1) {
        this.roleOf[0] = ROLE_RESPONSE;
        this.roleOf[1] = ROLE_REQUEST;
        this.swapped = true;
        c.ctx.counters.inc('http.roles_swapped');
      }
    }
    const other = this.kept[1 - dir];
    if (other !== null) {
      this.kept[1 - dir] = null;
      const s = c.sides[this.roleOf[1 - dir]];
      s.tsSec = c.sides[this.roleOf[dir]].tsSec;
      c.feedSide(this.roleOf[1 - dir], other);
    }
    return all;
  }

  /** Ends role guessing with the current mapping, feeding any kept prefixes to `c`. */
  flush(c: HttpConnection): void {
    this.decided = true;
    for (const dir of [0, 1] as const) {
      const kept = this.kept[dir];
      if (kept === null) continue;
      this.kept[dir] = null;
      c.feedSide(this.roleOf[dir], kept);
    }
  }
}
