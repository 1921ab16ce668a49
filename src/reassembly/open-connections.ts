/**
 * The assembler's open connections, in one activity-ordered list per stage (ConnStage):
 *
 *  - syn:         only SYNs seen, never answered. A spoofed SYN flood lives here.
 *  - syn-ack:     answered by a SYN-ACK, but no packet without SYN yet. A SYN flood against a server
 *                 that answers lives here (the spoofed clients never send the last ACK).
 *  - handshaken:  a packet without SYN seen (the handshake's last ACK, a bare FIN), no payload.
 *  - established: payload seen in either direction.
 *
 * The first three are the "embryonic" connections: they have delivered nothing, so losing one
 * costs little, and floods are made of them. Eviction takes the least recently active connection
 * of the lowest non-empty stage, so an established connection goes only when no embryonic one is
 * left.
 *
 * Every operation is O(1): a connection only moves forward through the stages, and each list is
 * ordered by last activity because a packet moves its connection to the tail of its list (packet
 * time never goes backwards), so each list's head is its least recently active entry.
 */
import { TCP_ACK, TCP_SYN } from '../decode/types.js';
import { ConnList } from './conn-list.js';
import { ConnStage, type Connection } from './connection.js';

/** The stage a connection reaches with a packet of these flags and payload length (at least `stage`). */
function stageAfter(stage: ConnStage, flags: number, payloadLen: number): ConnStage {
  if (payloadLen > 0) return ConnStage.Established;
  if ((flags & TCP_SYN) === 0) return stage > ConnStage.Handshaken ? stage : ConnStage.Handshaken;
  if ((flags & TCP_ACK) !== 0) return stage > ConnStage.SynAck ? stage : ConnStage.SynAck;
  return stage;
}

export class OpenConnections {
  /** Indexed by ConnStage. */
  readonly lists: readonly ConnList<Connection>[] = [
    new ConnList<Connection>(), new ConnList<Connection>(), new ConnList<Connection>(), new ConnList<Connection>(),
  ];

  /** Open connections, every stage. */
  get size(): number {
    const l = this.lists;
    return l[0].size + l[1].size + l[2].size + l[3].size;
  }

  /** Open connections that have carried no payload (every stage but Established). */
  get embryonicSize(): number {
    const l = this.lists;
    return l[0].size + l[1].size + l[2].size;
  }

  /** Adds a new connection at the tail of its stage's list, from the packet that creates it. */
  add(conn: Connection, flags: number, payloadLen: number): void {
    conn.stage = stageAfter(ConnStage.Syn, flags, payloadLen);
    this.lists[conn.stage].append(conn);
  }

  /** A packet of an open connection: moves it forward a stage if the packet says so, and to its list's tail. */
  touch(conn: Connection, flags: number, payloadLen: number): void {
    const stage = stageAfter(conn.stage, flags, payloadLen);
    if (stage === conn.stage) {
      this.lists[stage].moveToTail(conn);
      return;
    }
    this.lists[conn.stage].remove(conn);
    conn.stage = stage;
    this.lists[stage].append(conn);
  }

  /** Unlinks an open connection (closed or evicted). */
  remove(conn: Connection): void {
    this.lists[conn.stage].remove(conn);
  }

  /** The embryonic connection to evict first (least recently active of the lowest stage), or null. */
  embryonicVictim(): Connection | null {
    const l = this.lists;
    return l[ConnStage.Syn].head ?? l[ConnStage.SynAck].head ?? l[ConnStage.Handshaken].head;
  }

  /** The connection to evict first at the connection cap, or null when none is open. */
  victim(): Connection | null {
    return this.embryonicVictim() ?? this.lists[ConnStage.Established].head;
  }
}
