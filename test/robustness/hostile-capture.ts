/**
 * Writes one hostile capture (streamed to disk, bounded memory) mixing, in time order:
 *  - a SYN flood: `synFlood` bare SYNs from new addresses, never answered;
 *  - `gapConnections` connections whose POST body has a hole that never fills (held data behind it);
 *  - one connection streaming `streamMiB` MiB of response body (Content-Length, full segments);
 *  - one connection with `pipelined` tiny pipelined GETs and their 204 answers;
 *  - a gzip decompression bomb: a response of `bombMiB` MiB of zeros, gzip-compressed;
 *  - a normal keep-alive connection (3 exchanges) interleaved with all of the above;
 *  - HTTP/2 (hostile-h2-traffic.ts): a normal h2c connection interleaved too, `h2Hostile` hostile h2c
 *    connections (CONTINUATION floods, 1000 streams, HPACK table abuse, lying frame lengths) and h2c
 *    connections seen from inside a DATA frame (no SYN).
 * Returns the truth the test checks against.
 */
import { gzipSync } from 'node:zlib';
import { PcapWriter } from '../util/pcap-writer.js';
import { TCP_ACK, TCP_PSH, TCP_SYN, TCP_FIN } from '../util/packet-builder.js';
import { renderH2Connection, type H2Truth } from './h2-synth.js';
import { HOSTILE_H2_KINDS, NORMAL_H2, hostileH2, joinedConnection, type HostileH2Kind } from './hostile-h2-traffic.js';

export interface HostileSpec { synFlood: number; gapConnections: number; streamMiB: number; pipelined: number; bombMiB: number; h2Hostile: number }

export const NORMAL_H2_CLIENT_PORT = 50002;
/** Client ports of the HTTP/2 connections joined inside a DATA frame: from this one up. */
export const JOINED_H2_PORT0 = 51000;

export interface HostileTruth {
  packets: number; bytes: number; bombCompressed: number;
  /** The normal h2c connection's streams. */
  h2Normal: H2Truth[];
  /** Hostile h2c connections written, by kind (index = kind). */
  h2Kinds: number[];
  /** Per joined connection (client port JOINED_H2_PORT0 + i): the streams after the join. */
  h2Joined: H2Truth[][];
}

export const NORMAL_EXCHANGES = [
  { target: '/normal/1', status: 200, body: 'first' },
  { target: '/normal/2', status: 201, body: '{"second":true}' },
  { target: '/normal/3', status: 404, body: 'missing' },
];
export const NORMAL_CLIENT_PORT = 50001;

const SERVER = (10 << 24) | (9 << 16) | 1;
const MSS = 1448;

export function writeHostileCapture(path: string, spec: HostileSpec): HostileTruth {
  const w = new PcapWriter(path, 1_700_000_000);
  let ts = 0;
  const at = (): number => (ts += 20_000); // 20 us apart: the whole file spans a few seconds of packet time
  const conn = (ip: number, port: number) => ({ ip, port, c: 1000, s: 900000 });
  const hs = (k: { ip: number; port: number; c: number; s: number }): void => {
    w.tcp(at(), k.ip, SERVER, k.port, 8080, k.c, 0, TCP_SYN, null);
    w.tcp(at(), SERVER, k.ip, 8080, k.port, k.s, k.c + 1, TCP_SYN | TCP_ACK, null);
    k.c++; k.s++;
  };
  const send = (k: { ip: number; port: number; c: number; s: number }, fromClient: boolean, data: Buffer): void => {
    for (let off = 0; off < data.length; off += MSS) {
      const piece = data.subarray(off, off + MSS);
      if (fromClient) { w.tcp(at(), k.ip, SERVER, k.port, 8080, k.c, k.s, TCP_ACK | TCP_PSH, piece); k.c += piece.length; }
      else { w.tcp(at(), SERVER, k.ip, 8080, k.port, k.s, k.c, TCP_ACK | TCP_PSH, piece); k.s += piece.length; }
    }
  };
  const fin = (k: { ip: number; port: number; c: number; s: number }): void => {
    w.tcp(at(), k.ip, SERVER, k.port, 8080, k.c, k.s, TCP_FIN | TCP_ACK, null);
    w.tcp(at(), SERVER, k.ip, 8080, k.port, k.s, k.c + 1, TCP_FIN | TCP_ACK, null);
    w.tcp(at(), k.ip, SERVER, k.port, 8080, k.c + 1, k.s + 1, TCP_ACK, null);
  };

  const normal = conn((10 << 24) | (8 << 16) | 2, NORMAL_CLIENT_PORT);
  hs(normal);
  let normalStep = 0;
  const normalNext = (): void => {
    if (normalStep >= NORMAL_EXCHANGES.length) return;
    const e = NORMAL_EXCHANGES[normalStep++];
    send(normal, true, Buffer.from(`GET ${e.target} HTTP/1.1\r\nHost: normal\r\n\r\n`));
    send(normal, false, Buffer.from(`HTTP/1.1 ${e.status} X\r\nContent-Length: ${e.body.length}\r\n\r\n${e.body}`));
  };

  const h2 = conn((10 << 24) | (8 << 16) | 3, NORMAL_H2_CLIENT_PORT);
  const h2Normal = renderH2Connection(NORMAL_H2);
  hs(h2);
  const h2Chunks = [...h2Normal.chunks];
  const h2Next = (n: number): void => { for (const c of h2Chunks.splice(0, n)) send(h2, c.dir === 0, c.data); };
  h2Next(3);

  // 1. SYN flood
  for (let i = 0; i < spec.synFlood; i++) w.tcp(at(), ((11 << 24) | i) >>> 0, SERVER, 1024 + (i % 60000), 8080, i * 7919, 0, TCP_SYN, null);
  normalNext();
  h2Next(3);
  // 2. connections with a hole that never fills: head, then body segments 2..9 (segment 1 missing)
  for (let i = 0; i < spec.gapConnections; i++) {
    const k = conn(((12 << 24) | i) >>> 0, 2000 + (i % 60000));
    hs(k);
    const head = Buffer.from(`POST /gap HTTP/1.1\r\nHost: g\r\nContent-Length: ${20 * MSS}\r\n\r\n`);
    send(k, true, head);
    for (let s = 2; s < 10; s++) w.tcp(at(), k.ip, SERVER, k.port, 8080, k.c + s * MSS, k.s, TCP_ACK, Buffer.alloc(MSS, 0x62));
  }
  normalNext();
  // HTTP/2: hostile connections by kind, and connections joined inside a DATA frame (no handshake)
  const h2Kinds = new Array<number>(HOSTILE_H2_KINDS).fill(0);
  const h2Joined: H2Truth[][] = [];
  for (let i = 0; i < spec.h2Hostile; i++) {
    const kind = (i % HOSTILE_H2_KINDS) as HostileH2Kind;
    h2Kinds[kind]++;
    if (kind === 4) {
      const k = conn(((14 << 24) | i) >>> 0, JOINED_H2_PORT0 + h2Joined.length);
      const j = joinedConnection(500 + ((i * 997) % 12_000));
      h2Joined.push(j.truth);
      for (let f = 0; f < j.server.length; f++) {
        send(k, false, j.server[f]);
        if (f < j.client.length) send(k, true, j.client[f]);
      }
      fin(k);
      continue;
    }
    const k = conn(((14 << 24) | i) >>> 0, 4000 + i);
    hs(k);
    for (const c of hostileH2(kind, i + 1)) send(k, c.dir === 0, c.data);
    fin(k);
  }
  h2Next(4);
  // 3. one long stream
  const big = conn((13 << 24) | 1, 3000);
  hs(big);
  const bigLen = spec.streamMiB * 1024 * 1024;
  send(big, true, Buffer.from('GET /stream HTTP/1.1\r\nHost: s\r\n\r\n'));
  send(big, false, Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${bigLen}\r\n\r\n`));
  const block = Buffer.alloc(MSS * 64, 0x63);
  for (let sent = 0; sent < bigLen;) { const n = Math.min(block.length, bigLen - sent); send(big, false, block.subarray(0, n)); sent += n; }
  fin(big);
  // 4. tiny pipelined requests, in batches of 100 per flight
  const pipe = conn((13 << 24) | 2, 3001);
  hs(pipe);
  for (let i = 0; i < spec.pipelined; i += 100) {
    const n = Math.min(100, spec.pipelined - i);
    send(pipe, true, Buffer.from('GET /p HTTP/1.1\r\nHost: p\r\n\r\n'.repeat(n)));
    send(pipe, false, Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'.repeat(n)));
  }
  fin(pipe);
  // 5. decompression bomb
  const bomb = conn((13 << 24) | 3, 3002);
  hs(bomb);
  const gz = gzipSync(Buffer.alloc(spec.bombMiB * 1024 * 1024), { level: 9 });
  send(bomb, true, Buffer.from('GET /bomb HTTP/1.1\r\nHost: b\r\n\r\n'));
  send(bomb, false, Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`), gz]));
  fin(bomb);
  normalNext();
  fin(normal);
  h2Next(h2Chunks.length);
  fin(h2);
  w.close();
  return { packets: w.packets, bytes: w.bytes, bombCompressed: gz.length, h2Normal: h2Normal.truth, h2Kinds, h2Joined };
}
