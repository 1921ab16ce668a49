/**
 * Where the frames of a recorded HTTP/2 capture lie: for each TCP connection, the bytes of each direction
 * (placed by sequence number, so retransmissions and reordering do not matter) parsed into frames, and
 * for each packet the offset in its direction's stream where its payload begins. Lets a test cut a capture
 * at a packet that begins inside a frame, and know from the bytes themselves (not from the sensor) which
 * streams' header blocks lie after the first packets that begin at a frame boundary.
 */
import { readPcapFile, type PcapFile } from '../util/pcap-file.js';
import { parseTcp } from '../../fixtures/rewrite-tcp.js';
import { PREFACE } from '../../bench/lib/h2-frames.mjs';

export interface PacketAt { index: number; clientPort: number; dir: 0 | 1; off: number; len: number }
export interface FrameAt { off: number; type: number; flags: number; sid: number; length: number }
export interface ConnectionMap { clientPort: number; serverPort: number; frames: [FrameAt[], FrameAt[]] }

const SYN = 0x02, ACK = 0x10;

export function mapCapture(path: string): { file: PcapFile; packets: PacketAt[]; connections: Map<number, ConnectionMap> } {
  const file = readPcapFile(path);
  const conns = new Map<number, { serverPort: number; isn: [number, number]; bytes: [Buffer, Buffer]; ends: [number, number] }>();
  const packets: PacketAt[] = [];
  file.records.forEach((r, index) => {
    const pkt = parseTcp(file.linkType, r.data); // the test tooling's own parser, not the sensor's decoder
    if (pkt === null) return;
    if ((pkt.flags & (SYN | ACK)) === SYN) {
      conns.set(pkt.srcPort, { serverPort: pkt.dstPort, isn: [pkt.seq, -1], bytes: [Buffer.alloc(1 << 20), Buffer.alloc(1 << 20)], ends: [0, 0] });
      return;
    }
    const c = conns.get(pkt.srcPort) ?? conns.get(pkt.dstPort);
    if (c === undefined) return;
    const dir = conns.has(pkt.srcPort) && c.serverPort === pkt.dstPort ? 0 : 1;
    const clientPort = dir === 0 ? pkt.srcPort : pkt.dstPort;
    if (pkt.flags & SYN) { c.isn[1] = pkt.seq; return; }
    if (pkt.payloadLen === 0) return;
    const off = (pkt.seq - c.isn[dir] - 1) >>> 0;
    const end = off + pkt.payloadLen;
    if (end > c.bytes[dir].length) {
      const grown = Buffer.alloc(Math.max(end, 2 * c.bytes[dir].length));
      c.bytes[dir].copy(grown);
      c.bytes[dir] = grown;
    }
    r.data.copy(c.bytes[dir], off, pkt.payloadOff, pkt.payloadOff + pkt.payloadLen);
    c.ends[dir] = Math.max(c.ends[dir], end);
    packets.push({ index, clientPort, dir, off, len: pkt.payloadLen });
  });
  const connections = new Map<number, ConnectionMap>();
  for (const [clientPort, c] of conns) {
    const frames: [FrameAt[], FrameAt[]] = [[], []];
    for (const dir of [0, 1] as const) {
      const b = c.bytes[dir].subarray(0, c.ends[dir]);
      let at = dir === 0 && b.subarray(0, PREFACE.length).equals(PREFACE) ? PREFACE.length : 0;
      while (at + 9 <= b.length) {
        const length = b.readUIntBE(at, 3);
        frames[dir].push({ off: at, type: b[at + 3], flags: b[at + 4], sid: b.readUInt32BE(at + 5) & 0x7fffffff, length });
        at += 9 + length;
      }
    }
    connections.set(clientPort, { clientPort, serverPort: c.serverPort, frames });
  }
  return { file, packets, connections };
}

/** The frame whose bytes hold offset `off` of a direction, or undefined past the end. */
export function frameAt(frames: FrameAt[], off: number): FrameAt | undefined {
  let lo = 0, hi = frames.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = frames[mid];
    if (off < f.off) hi = mid - 1;
    else if (off >= f.off + 9 + f.length) lo = mid + 1;
    else return f;
  }
  return undefined;
}
