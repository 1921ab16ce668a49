/**
 * Test helper: walks the records of a classic pcap file (not pcapng), for cross-checking the
 * decoder against real captures without the native reader. Reads the whole file into memory
 * (test captures are small). Handles both byte orders and both timestamp precisions.
 * Also writes small classic pcap files, so builder frames can be shown to tshark.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface PcapRecord {
  /** Offset of the packet bytes in `PcapFile.data`. */
  off: number;
  caplen: number;
  origLen: number;
  tsSec: number;
  /** Fraction of the second in nanoseconds (microsecond files are scaled). */
  tsNsec: number;
}

export interface PcapFile {
  data: Buffer;
  linkType: number;
  snaplen: number;
  nano: boolean;
  bigEndian: boolean;
  records: PcapRecord[];
  /** Bytes at the end that do not form a whole record (a cut file); 0 normally. */
  trailingBytes: number;
}

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;

/** True when the first 4 bytes are a classic pcap magic in either byte order. */
export function isClassicPcap(head: Buffer): boolean {
  if (head.length < 4) return false;
  const le = head.readUInt32LE(0);
  const be = head.readUInt32BE(0);
  return le === MAGIC_US || le === MAGIC_NS || be === MAGIC_US || be === MAGIC_NS;
}

export function readPcap(path: string): PcapFile {
  const data = readFileSync(path);
  if (data.length < 24 || !isClassicPcap(data)) throw new Error(`${path}: not a classic pcap file`);
  const bigEndian = data.readUInt32BE(0) === MAGIC_US || data.readUInt32BE(0) === MAGIC_NS;
  const u32 = (o: number): number => (bigEndian ? data.readUInt32BE(o) : data.readUInt32LE(o));
  const nano = u32(0) === MAGIC_NS;
  const snaplen = u32(16);
  // the upper bits of the link type field may carry FCS information: the type is the low 16 bits
  const linkType = u32(20) & 0xffff;
  const records: PcapRecord[] = [];
  let o = 24;
  while (o + 16 <= data.length) {
    const caplen = u32(o + 8);
    if (o + 16 + caplen > data.length) break;
    const frac = u32(o + 4);
    records.push({ off: o + 16, caplen, origLen: u32(o + 12), tsSec: u32(o), tsNsec: nano ? frac : frac * 1000 });
    o += 16 + caplen;
  }
  return { data, linkType, snaplen, nano, bigEndian, records, trailingBytes: data.length - o };
}

/** Writes `frames` as a little-endian microsecond classic pcap of `linkType` (1 s apart), for tests. */
export function writePcap(path: string, linkType: number, frames: Buffer[]): void {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(24);
  header.writeUInt32LE(MAGIC_US, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(linkType, 20);
  parts.push(header);
  frames.forEach((frame, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + i, 0);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    parts.push(rec, frame);
  });
  writeFileSync(path, Buffer.concat(parts));
}
