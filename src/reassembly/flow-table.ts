/**
 * Connections by 4-tuple, looked up without building a string per packet.
 *
 * Key: a symmetric hash of the two endpoints (address bytes + port), so both directions of a
 * connection map to the same key. The hash is seeded at random per table so that traffic cannot
 * be crafted to collide on purpose. Colliding connections share a key as an array; a lookup
 * compares the packet's bytes against the addresses each connection copied at creation.
 */
import { randomBytes } from 'node:crypto';
import type { DecodedPacket } from '../decode/types.js';
import type { Direction } from './types.js';
import type { Connection } from './connection.js';

const FNV_PRIME = 0x01000193;

/** Hash of one endpoint: address bytes then port, finished with a 32-bit avalanche mix. */
function endpointHash(seed: number, buf: Uint8Array, off: number, len: number, port: number): number {
  let h = seed;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ buf[off + i], FNV_PRIME);
  h = Math.imul(h ^ (port & 0xff), FNV_PRIME);
  h = Math.imul(h ^ (port >>> 8), FNV_PRIME);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

export class FlowTable {
  /** Direction of the packet in the connection returned by the last successful find(). */
  foundDir: Direction = 0;
  private readonly map = new Map<number, Connection | Connection[]>();
  private readonly seed: number;

  constructor(seed?: number) {
    this.seed = seed ?? randomBytes(4).readInt32LE(0);
  }

  /** Same value for both directions of a flow. */
  hashOf(pkt: DecodedPacket): number {
    const a = endpointHash(this.seed, pkt.buf, pkt.srcAddrOff, pkt.addrLen, pkt.srcPort);
    const b = endpointHash(this.seed, pkt.buf, pkt.dstAddrOff, pkt.addrLen, pkt.dstPort);
    return (a + b) | 0;
  }

  /** The connection the packet belongs to (and sets foundDir), or undefined. */
  find(pkt: DecodedPacket, hash: number): Connection | undefined {
    const entry = this.map.get(hash);
    if (entry === undefined) return undefined;
    if (!Array.isArray(entry)) {
      const dir = entry.directionOf(pkt);
      if (dir < 0) return undefined;
      this.foundDir = dir as Direction;
      return entry;
    }
    for (let i = 0; i < entry.length; i++) {
      const dir = entry[i].directionOf(pkt);
      if (dir >= 0) {
        this.foundDir = dir as Direction;
        return entry[i];
      }
    }
    return undefined;
  }

  add(conn: Connection): void {
    const entry = this.map.get(conn.hash);
    if (entry === undefined) this.map.set(conn.hash, conn);
    else if (Array.isArray(entry)) entry.push(conn);
    else this.map.set(conn.hash, [entry, conn]);
  }

  remove(conn: Connection): void {
    const entry = this.map.get(conn.hash);
    if (entry === undefined) return;
    if (!Array.isArray(entry)) {
      if (entry === conn) this.map.delete(conn.hash);
      return;
    }
    const i = entry.indexOf(conn);
    if (i < 0) return;
    entry.splice(i, 1);
    if (entry.length === 1) this.map.set(conn.hash, entry[0]);
  }

  /** Number of keys (for tests). */
  get keyCount(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}
