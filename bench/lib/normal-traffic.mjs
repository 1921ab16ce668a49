// Realistic traffic: N concurrent keep-alive TCP connections (SYN handshake, exchanges, FIN), MTU-sized
// segments, delayed ACKs, a few per cent of segments reordered (swapped with the next one) and duplicated.
// Each finished connection is replaced by a new one (new client address, so 4-tuples never repeat) until
// the packet target is reached; then every connection ends after its current exchange, so the truth counts
// are complete exchanges only.
//
// In flight: of the N open connections, at most `inflight` are transferring at any moment; the others
// rest between exchanges (keep-alive idle), as on a real service where thousands of connections are open
// but only the requests being served at that instant move bytes. The transferring ones are interleaved
// packet by packet by a seeded PRNG. When one finishes an exchange it rests and a resting one, chosen at
// random, takes its turn. `inflight` 0 makes every open connection transfer at once (each in-flight body
// then stays open for about N times its own packet count: the sensor holds N partial bodies).
// Memory: each open connection holds the packets of its current exchange only (views into one message).
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from '../../test/util/packet-builder.js';
import { buildRequest, buildResponse } from './http-messages.mjs';

export const MSS = 1448;
const SERVER_IP = (10 << 24) | (0 << 16) | (0 << 8) | 1;
export const SERVER_PORT = 8080;
export const BENCH_HOST = `api.bench.local:${SERVER_PORT}`;

/** Client address for connection number `serial` (unique up to 2^24 connections). */
function clientIp(serial) {
  return ((10 << 24) | ((1 + ((serial >>> 16) & 0x7f)) << 16) | (((serial >>> 8) & 0xff) << 8) | (serial & 0xff)) >>> 0;
}

/**
 * One packet to send: [from the client?, TCP flags, seq, ack, payload or null].
 * @typedef {[boolean, number, number, number, Buffer | null]} Segment
 */

/**
 * @param {object} o
 * @param {import('../../test/util/pcap-writer.js').PcapWriter} o.writer
 * @param {() => number} o.rng
 * @param {object} o.pool            from buildBodyPool
 * @param {number} o.packets         target packet count (the run stops opening connections there)
 * @param {number} o.connections     concurrent (open) connections
 * @param {number} o.inflight        connections transferring at once (0: all of them)
 * @param {number} o.reorder         probability a data segment is swapped with the next (default 0.02)
 * @param {number} o.duplicate       probability a data segment is sent twice (default 0.01)
 * @param {number} o.startNs         time of the first packet
 * @param {(c: object) => [Buffer, Buffer]} [o.messages]  the request and response bytes of one exchange on
 *                                   connection `c` (default: HTTP/1.1 from http-messages.mjs)
 * @returns {{requests:number,responses:number,connections:number,reordered:number,duplicated:number,endNs:number}}
 */

export function generateNormalTraffic(o) {
  const { writer, rng, pool } = o;
  const truth = { requests: 0, responses: 0, connections: 0, reordered: 0, duplicated: 0, endNs: 0 };
  let serial = 0;
  let stopping = false;
  let ts = o.startNs;
  const host = BENCH_HOST;

  const open = () => {
    const s = serial++;
    truth.connections++;
    const c = {
      ip: clientIp(s), port: 20000 + (s % 40000),
      cseq: Math.floor(rng() * 4294967296), sseq: Math.floor(rng() * 4294967296),
      exchangesLeft: 1 + Math.floor(rng() * 40), closing: false, done: false, queue: /** @type {Segment[]} */ ([]), qi: 0,
      exchanged: false, woken: false,
    };
    c.queue.push([true, TCP_SYN, c.cseq, 0, null]);
    c.queue.push([false, TCP_SYN | TCP_ACK, c.sseq, c.cseq + 1, null]);
    c.cseq = (c.cseq + 1) >>> 0; c.sseq = (c.sseq + 1) >>> 0;
    c.queue.push([true, TCP_ACK, c.cseq, c.sseq, null]);
    return c;
  };

  /** Data segments of one message, with a pure ACK from the peer after every second segment. */
  const pushMessage = (q, c, fromClient, msg) => {
    const base = fromClient ? c.cseq : c.sseq;
    const peer = fromClient ? c.sseq : c.cseq;
    let n = 0;
    for (let off = 0; off < msg.length; off += MSS) {
      const end = Math.min(msg.length, off + MSS);
      q.push([fromClient, end === msg.length ? TCP_PSH | TCP_ACK : TCP_ACK, (base + off) >>> 0, peer, msg.subarray(off, end)]);
      if (++n % 2 === 0 && end < msg.length) q.push([!fromClient, TCP_ACK, peer, (base + end) >>> 0, null]);
    }
    if (fromClient) c.cseq = (c.cseq + msg.length) >>> 0; else c.sseq = (c.sseq + msg.length) >>> 0;
  };

  /** Swaps a few adjacent same-direction data segments and repeats a few, in place. */
  const disturb = (q) => {
    for (let i = 0; i + 1 < q.length; i++) {
      const a = q[i], b = q[i + 1];
      if (a[4] && b[4] && a[0] === b[0] && rng() < o.reorder) { q[i] = b; q[i + 1] = a; i++; truth.reordered++; }
    }
    for (let i = 0; i < q.length; i++) {
      if (q[i][4] && rng() < o.duplicate) {
        const at = Math.min(q.length, i + 2 + Math.floor(rng() * 3));
        q.splice(at, 0, q[i]);
        truth.duplicated++;
        i++;
      }
    }
  };

  const refill = (c) => {
    c.queue = []; c.qi = 0;
    if (c.closing) { c.done = true; return; }
    if (c.exchangesLeft > 0 && !stopping) {
      c.exchangesLeft--;
      const q = c.queue;
      const [request, response] = o.messages ? o.messages(c) : [buildRequest(rng, pool, host), buildResponse(rng, pool)];
      pushMessage(q, c, true, request);
      pushMessage(q, c, false, response);
      q.push([true, TCP_ACK, c.cseq, c.sseq, null]);
      disturb(q);
      truth.requests++; truth.responses++;
      c.exchanged = true;
      return;
    }
    c.closing = true;
    c.queue.push([true, TCP_FIN | TCP_ACK, c.cseq, c.sseq, null]);
    c.queue.push([false, TCP_FIN | TCP_ACK, c.sseq, (c.cseq + 1) >>> 0, null]);
    c.queue.push([true, TCP_ACK, (c.cseq + 1) >>> 0, (c.sseq + 1) >>> 0, null]);
  };

  // busy: transferring, interleaved at random; resting: open, idle between exchanges (see the file comment).
  const limit = o.inflight > 0 ? o.inflight : Infinity;
  const busy = [];
  const resting = [];
  for (let i = 0; i < o.connections; i++) (busy.length < limit ? busy : resting).push(open());
  while (busy.length > 0) {
    const k = Math.floor(rng() * busy.length);
    const c = busy[k];
    if (c.qi >= c.queue.length) {
      if (c.woken) c.woken = false; // just took its turn: go on with its next exchange
      else if (c.exchanged && resting.length > 0 && !stopping) {
        c.exchanged = false; // rest after this exchange; a resting connection takes the turn
        const j = Math.floor(rng() * resting.length);
        busy[k] = resting[j];
        busy[k].woken = true;
        resting[j] = c;
        continue;
      }
      refill(c);
    }
    if (c.done) {
      if (stopping) { busy[k] = busy[busy.length - 1]; busy.pop(); } else busy[k] = open();
      continue;
    }
    const p = c.queue[c.qi++];
    ts += 1000 + Math.floor(rng() * 3000);
    if (p[0]) writer.tcp(ts, c.ip, SERVER_IP, c.port, SERVER_PORT, p[2], p[3], p[1], p[4]);
    else writer.tcp(ts, SERVER_IP, c.ip, SERVER_PORT, c.port, p[2], p[3], p[1], p[4]);
    if (!stopping && writer.packets >= o.packets) {
      stopping = true; // every resting connection closes too (after its handshake if it never sent one)
      for (const r of resting) busy.push(r);
      resting.length = 0;
    }
  }
  truth.endNs = ts;
  return truth;
}
