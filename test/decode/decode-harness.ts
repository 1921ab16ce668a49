/**
 * Shared by the decode tests: runs one frame through a fresh PacketDecoder, placed inside a larger
 * buffer at a non-zero offset with 0xEE garbage on both sides, so a decoder that reads or points
 * outside [off, off + caplen) produces visibly wrong results instead of passing by luck.
 */
import { PacketDecoder } from '../../src/decode/packet-decoder.js';
import { DecodedPacket, DecodeResult } from '../../src/decode/types.js';
import { Counters } from '../../src/util/counters.js';

export interface Decoded {
  result: DecodeResult;
  pkt: DecodedPacket;
  /** Offset of the frame inside pkt.buf. */
  base: number;
  /** The frame's bytes as a view of pkt.buf (payload etc. are relative to `base`). */
  frame: Buffer;
  /** Counters after `publish()`. */
  counters: Record<string, number>;
  decoder: PacketDecoder;
}

export const GARBAGE = 0xee;

export function decodeFrame(linkType: number, frame: Buffer, caplen = frame.length): Decoded {
  const base = 37;
  const buf = Buffer.alloc(base + frame.length + 64, GARBAGE);
  frame.copy(buf, base);
  const counters = new Counters();
  const decoder = new PacketDecoder(counters);
  const pkt = new DecodedPacket();
  const result = decoder.decode(linkType, buf, base, caplen, pkt);
  decoder.publish();
  return { result, pkt, base, frame: buf.subarray(base, base + frame.length), counters: counters.snapshot(), decoder };
}

/** The TCP payload of an Ok result, as a string. */
export function payloadText(d: Decoded): string {
  return d.pkt.buf.toString('latin1', d.pkt.payloadOff, d.pkt.payloadOff + d.pkt.payloadLen);
}

export { DecodeResult };
