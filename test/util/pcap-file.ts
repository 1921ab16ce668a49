// Classic pcap (libpcap "tcpdump" format) reader and writer for TEST TOOLING ONLY.
// The product reads captures through libpcap (src/capture); this exists so tests, fixture tools and the
// benchmark can inspect, rewrite and write captures without the native addon (pcap-writer.ts streams
// large ones with the header writers below).
//
// Supported: both byte orders, microsecond (0xa1b2c3d4) and nanosecond (0xa1b23c4d) magic.
// Not supported: pcapng (throws). Whole files are read into memory: fixtures are a few MB.

import { readFileSync, writeFileSync } from 'node:fs';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;
export const GLOBAL_HEADER_LEN = 24;
export const RECORD_HEADER_LEN = 16;

export interface PcapRecord {
  /** Seconds since the epoch. */
  tsSec: number;
  /** Sub-second part in the file's unit: microseconds, or nanoseconds when the file is nano. */
  tsFrac: number;
  /** Bytes on the wire (may exceed data.length when the snaplen cut the packet). */
  origLen: number;
  /** Captured bytes (caplen = data.length). A view into the file buffer for read records. */
  data: Buffer;
}

export interface PcapFile {
  linkType: number;
  /** true when timestamps are nanoseconds (tsFrac < 1e9), false for microseconds. */
  nano: boolean;
  snapLen: number;
  versionMajor: number;
  versionMinor: number;
  records: PcapRecord[];
}

/** True when the first 4 bytes are a classic pcap magic (micro or nano) in either byte order. */
export function isClassicPcap(head: Buffer): boolean {
  if (head.length < 4) return false;
  const le = head.readUInt32LE(0);
  const be = head.readUInt32BE(0);
  return le === MAGIC_MICRO || le === MAGIC_NANO || be === MAGIC_MICRO || be === MAGIC_NANO;
}

/** Parses a classic pcap buffer. A truncated final record is dropped (tcpdump killed mid-write). */
export function parsePcap(buf: Buffer): PcapFile {
  if (buf.length < GLOBAL_HEADER_LEN) throw new Error(`pcap: file of ${buf.length} bytes has no global header`);
  const le = buf.readUInt32LE(0);
  const be = buf.readUInt32BE(0);
  let little: boolean;
  let nano: boolean;
  if (le === MAGIC_MICRO || le === MAGIC_NANO) { little = true; nano = le === MAGIC_NANO; }
  else if (be === MAGIC_MICRO || be === MAGIC_NANO) { little = false; nano = be === MAGIC_NANO; }
  else throw new Error(`pcap: unknown magic 0x${be.toString(16)} (pcapng is not supported here)`);
  const u16 = (off: number): number => (little ? buf.readUInt16LE(off) : buf.readUInt16BE(off));
  const u32 = (off: number): number => (little ? buf.readUInt32LE(off) : buf.readUInt32BE(off));
  const file: PcapFile = {
    versionMajor: u16(4), versionMinor: u16(6), snapLen: u32(16),
    // the upper bits of the link-type field carry FCS info (pcap-linktype(7)); keep the type only
    linkType: u32(20) & 0x0fffffff, nano, records: [],
  };
  let off = GLOBAL_HEADER_LEN;
  while (off + RECORD_HEADER_LEN <= buf.length) {
    const capLen = u32(off + 8);
    const start = off + RECORD_HEADER_LEN;
    if (start + capLen > buf.length) break;
    file.records.push({ tsSec: u32(off), tsFrac: u32(off + 4), origLen: u32(off + 12), data: buf.subarray(start, start + capLen) });
    off = start + capLen;
  }
  return file;
}

export function readPcapFile(path: string): PcapFile {
  return parsePcap(readFileSync(path));
}

/** Serialises little-endian classic pcap. records' data is copied; origLen defaults to at least caplen. */
export function serializePcap(file: Pick<PcapFile, 'linkType' | 'nano' | 'records'> & { snapLen?: number }): Buffer {
  let total = GLOBAL_HEADER_LEN;
  for (const r of file.records) total += RECORD_HEADER_LEN + r.data.length;
  const out = Buffer.alloc(total);
  writeGlobalHeader(out, file.linkType, file.nano, file.snapLen);
  let off = GLOBAL_HEADER_LEN;
  for (const r of file.records) {
    writeRecordHeader(out, off, r.tsSec, r.tsFrac, r.data.length, Math.max(r.origLen, r.data.length));
    r.data.copy(out, off + RECORD_HEADER_LEN);
    off += RECORD_HEADER_LEN + r.data.length;
  }
  return out;
}

/** Writes the 24-byte little-endian global header (version 2.4, zone 0) at the start of out. */
export function writeGlobalHeader(out: Buffer, linkType: number, nano: boolean, snapLen = 262144): void {
  out.writeUInt32LE(nano ? MAGIC_NANO : MAGIC_MICRO, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeInt32LE(0, 8); // thiszone
  out.writeUInt32LE(0, 12); // sigfigs
  out.writeUInt32LE(snapLen, 16);
  out.writeUInt32LE(linkType, 20);
}

/** Writes a 16-byte little-endian record header at off; the caller copies capLen data bytes after it. */
export function writeRecordHeader(out: Buffer, off: number, tsSec: number, tsFrac: number, capLen: number, origLen: number): void {
  out.writeUInt32LE(tsSec >>> 0, off);
  out.writeUInt32LE(tsFrac >>> 0, off + 4);
  out.writeUInt32LE(capLen, off + 8);
  out.writeUInt32LE(origLen, off + 12);
}

export function writePcapFile(path: string, file: Pick<PcapFile, 'linkType' | 'nano' | 'records'> & { snapLen?: number }): void {
  writeFileSync(path, serializePcap(file));
}

/** Timestamp of a record in nanoseconds since the epoch (bigint: exact for both precisions). */
export function recordTimeNs(file: Pick<PcapFile, 'nano'>, r: PcapRecord): bigint {
  return BigInt(r.tsSec) * 1_000_000_000n + BigInt(r.tsFrac) * (file.nano ? 1n : 1000n);
}
