/**
 * Synthetic HTTP/2 captures for process tests: the frame and HPACK builders of bench/lib/h2-frames.mjs
 * (re-exported), a HEADERS frame of a stateless header block, and a pcap of one TCP connection per chunk
 * list (test/robustness/stream-builder.ts).
 */
import { writePcapFile, LINKTYPE_ETHERNET } from '../util/pcap-file.js';
import { buildFrames } from '../robustness/stream-builder.js';
import type { Chunk } from '../robustness/harness.js';
import { END_HEADERS, END_STREAM, HEADERS, frame, hpack as encodeBlock } from '../../bench/lib/h2-frames.mjs';

export { PREFACE, DATA, HEADERS, CONTINUATION, END_STREAM, END_HEADERS, frame, dataFrames, grpcMessages } from '../../bench/lib/h2-frames.mjs';

/** A header block of literal fields without indexing, literal names (pseudo-header fields included). */
export const hpack = (fields: Array<[string, string]>): Buffer => encodeBlock(fields);

/** A HEADERS frame (END_HEADERS, END_STREAM when `end`). */
export const headers = (sid: number, fields: Array<[string, string]>, end = false): Buffer =>
  frame(HEADERS, END_HEADERS | (end ? END_STREAM : 0), sid, hpack(fields));

/** Writes a pcap with one TCP connection per entry (client ports 40000 + i), segments of at most 1460 bytes. */
export function writeH2Capture(path: string, connections: Chunk[][]): void {
  const records = connections.flatMap((chunks, i) => buildFrames(
    { clientIp: '10.0.0.1', serverIp: '10.0.0.2', clientPort: 40000 + i, serverPort: 8080 }, chunks,
    { maxSegment: 1460, shuffle: false, duplicate: 0, overlap: 0, loss: 0, seed: i + 1 }, 1_700_000_000 + i,
  ).frames);
  writePcapFile(path, { linkType: LINKTYPE_ETHERNET, nano: true, records: records.map((f) => ({ tsSec: f.tsSec, tsFrac: f.tsNsec, origLen: f.data.length, data: f.data })) });
}
