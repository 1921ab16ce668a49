// Hostile traffic for the memory-cap run. Three populations, interleaved by the seeded PRNG:
//  - gap connections (50% of the populations): a handshake, a POST head announcing a large body, then the body's
//    segments with the second one missing, so every later byte is held out of order and the hole never fills.
//    One in 16 sends 4200 segments (above the 4 MiB / 4096-segment per-connection caps); the rest 300.
//  - SYN flood: bursts of 2000 bare SYNs, each from a new client address and port, never answered
//    (picked for 30% of the populations, so about 60% of the packets).
//  - endless headers (20% of the populations): a request line followed by header lines that never end (no blank line).
// Nothing here completes an exchange; the run is read for peak RSS and the cap counters.
import { TCP_ACK, TCP_PSH, TCP_SYN } from '../../test/util/packet-builder.js';
import { MSS } from './normal-traffic.mjs';

const SERVER_IP = (10 << 24) | 1;
const PORT = 8080;

/** @returns {{gapConnections:number, synFlood:number, headerConnections:number, requests:number, responses:number, endNs:number}} */
export function generateHostileTraffic({ writer, rng, packets, connections, startNs }) {
  const truth = { gapConnections: 0, synFlood: 0, headerConnections: 0, requests: 0, responses: 0, endNs: 0 };
  let serial = 0;
  let ts = startNs;
  const filler = Buffer.alloc(MSS, 0x61);
  const headerLine = Buffer.from(`X-Pad: ${'b'.repeat(MSS - 9)}\r\n`, 'latin1');

  const newConn = (kind) => {
    const s = serial++;
    const ip = ((10 << 24) | ((64 + ((s >>> 16) & 0x3f)) << 16) | (((s >>> 8) & 0xff) << 8) | (s & 0xff)) >>> 0;
    const c = { kind, ip, port: 1024 + (s % 60000), cseq: Math.floor(rng() * 4294967296), sseq: Math.floor(rng() * 4294967296), step: 0 };
    c.total = kind === 'gap' ? (s % 16 === 0 ? 4200 : 300) : kind === 'header' ? 700 : 2000;
    return c;
  };
  const emit = (c, fromClient, seq, ack, flags, payload) => {
    ts += 500 + Math.floor(rng() * 1500);
    if (fromClient) writer.tcp(ts, c.ip, SERVER_IP, c.port, PORT, seq, ack, flags, payload);
    else writer.tcp(ts, SERVER_IP, c.ip, PORT, c.port, seq, ack, flags, payload);
  };
  /** Emits the next packet of `c`; returns false when `c` has nothing more to send. */
  const step = (c) => {
    const i = c.step++;
    if (c.kind === 'syn') {
      const s = serial++;
      c.ip = ((10 << 24) | ((64 + ((s >>> 16) & 0x3f)) << 16) | (((s >>> 8) & 0xff) << 8) | (s & 0xff)) >>> 0;
      c.port = 1024 + (s % 60000);
      emit(c, true, Math.floor(rng() * 4294967296), 0, TCP_SYN, null);
      truth.synFlood++;
      return i + 1 < c.total;
    }
    if (i === 0) { emit(c, true, c.cseq, 0, TCP_SYN, null); return true; }
    if (i === 1) { emit(c, false, c.sseq, c.cseq + 1, TCP_SYN | TCP_ACK, null); return true; }
    const base = (c.cseq + 1) >>> 0;
    const ack = (c.sseq + 1) >>> 0;
    if (c.kind === 'gap') {
      if (i === 2) {
        const head = Buffer.from(`POST /upload HTTP/1.1\r\nHost: api\r\nContent-Length: ${c.total * MSS}\r\n\r\n`, 'latin1');
        c.headLen = head.length;
        emit(c, true, base, ack, TCP_PSH | TCP_ACK, head);
        return true;
      }
      const k = i - 3; // body segment index; segment 1 is never sent
      if (k === 1) c.step++;
      const idx = k === 1 ? 2 : k;
      emit(c, true, (base + c.headLen + idx * MSS) >>> 0, ack, TCP_ACK, filler);
      return idx + 1 < c.total;
    }
    if (i === 2) {
      emit(c, true, base, ack, TCP_ACK, Buffer.from('GET /endless HTTP/1.1\r\nHost: api\r\n', 'latin1'));
      c.off = 34;
      return true;
    }
    emit(c, true, (base + c.off) >>> 0, ack, TCP_ACK, headerLine);
    c.off += headerLine.length;
    return i < c.total;
  };

  const active = [];
  const pickKind = () => { const r = rng(); return r < 0.5 ? 'gap' : r < 0.8 ? 'syn' : 'header'; };
  const add = () => {
    const c = newConn(pickKind());
    if (c.kind === 'gap') truth.gapConnections++; else if (c.kind === 'header') truth.headerConnections++;
    active.push(c);
  };
  for (let i = 0; i < connections; i++) add();
  while (active.length > 0) {
    const k = Math.floor(rng() * active.length);
    const more = step(active[k]);
    if (!more) {
      active[k] = active[active.length - 1];
      active.pop();
      if (writer.packets < packets) add();
    }
    if (writer.packets >= packets) break;
  }
  truth.endNs = ts;
  return truth;
}
