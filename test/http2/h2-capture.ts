/**
 * Synthetic HTTP/2 captures for process tests: frames, an HPACK encoding of literal fields (literal
 * without indexing, literal name, no Huffman coding: no block depends on another), gRPC length-prefixed
 * messages, and a pcap of one TCP connection per chunk list (test/robustness/stream-builder.ts).
 */
import { writePcapFile, LINKTYPE_ETHERNET } from '../util/pcap-file.js';
import { buildFrames } from '../robustness/stream-builder.js';
import type { Chunk } from '../robustness/harness.js';
import { hpack as encodeBlock } from '../../bench/lib/h2-messages.mjs';

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
export const DATA = 0, HEADERS = 1;
export const END_STREAM = 1, END_HEADERS = 4;

export function frame(type: number, flags: number, sid: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(sid, 5);
  return Buffer.concat([h, payload]);
}

/** A header block of literal fields without indexing, literal names (pseudo-header fields included). */
export const hpack = (fields: Array<[string, string]>): Buffer => encodeBlock(fields);

/** A HEADERS frame (END_HEADERS, END_STREAM when `end`). */
export const headers = (sid: number, fields: Array<[string, string]>, end = false): Buffer =>
  frame(HEADERS, END_HEADERS | (end ? END_STREAM : 0), sid, hpack(fields));

/** gRPC length-prefixed messages: [compressed flag, message bytes]. */
export function grpcMessages(msgs: Array<[number, Buffer]>): Buffer {
  return Buffer.concat(msgs.flatMap(([flag, m]) => {
    const h = Buffer.alloc(5);
    h[0] = flag;
    h.writeUInt32BE(m.length, 1);
    return [h, m];
  }));
}

/** Writes a pcap with one TCP connection per entry (client ports 40000 + i), segments of at most 1460 bytes. */
export function writeH2Capture(path: string, connections: Chunk[][]): void {
  const records = connections.flatMap((chunks, i) => buildFrames(
    { clientIp: '10.0.0.1', serverIp: '10.0.0.2', clientPort: 40000 + i, serverPort: 8080 }, chunks,
    { maxSegment: 1460, shuffle: false, duplicate: 0, overlap: 0, loss: 0, seed: i + 1 }, 1_700_000_000 + i,
  ).frames);
  writePcapFile(path, { linkType: LINKTYPE_ETHERNET, nano: true, records: records.map((f) => ({ tsSec: f.tsSec, tsFrac: f.tsNsec, origLen: f.data.length, data: f.data })) });
}
