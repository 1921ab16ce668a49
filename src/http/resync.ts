/**
 * Resynchronisation of one side: discards bytes until a plausible message start (message-start.ts),
 * keeping at most MAX_START_PROBE bytes across chunks when a candidate runs into the end of the data.
 * Discarded bytes are counted as `http.bytes_discarded.<reason>` (mid_stream or resync).
 *
 * Owned by one side (the only caller). `scan` returns where the side continues; when it found a message
 * start, `found` is set and the side parses from there, starting with `takeCarry()` when the start lay
 * in the bytes kept from the previous chunk (the side runs them itself, before the rest of the chunk).
 */
import type { Counters } from '../util/counters.js';
import {
  classifyStart, findMessageStart, newStartScan, MAX_START_PROBE, START_NONE, START_REQUEST, START_RESPONSE,
  START_UNDECIDED,
} from './message-start.js';
import { ROLE_REQUEST, type DiscardReason, type Role } from './side-types.js';

const scanOut = newStartScan();
/** Counter of the bytes discarded, by reason (no string built per discard). */
const DISCARDED: Readonly<Record<DiscardReason, string>> = {
  mid_stream: 'http.bytes_discarded.mid_stream',
  resync: 'http.bytes_discarded.resync',
};

export class Resync {
  /** A possible message start cut by the end of the previous chunk (at most MAX_START_PROBE bytes). */
  private carry: Buffer | null = null;
  /** Whether the next byte scanned is at the beginning of a line. */
  private atLineStart = true;
  /** Set by scan(): a message start was found. */
  found = false;
  reason: DiscardReason = 'resync';
  /**
   * Connection resumed after eviction: until its first request, only a request line at the start of a
   * data chunk counts (a client starts each request with a new write, while a line inside a request body
   * that looks like a request line would invent a request).
   */
  segmentStartOnly = false;
  private readonly wanted: number;

  constructor(role: Role, private readonly counters: Counters) {
    this.wanted = role === ROLE_REQUEST ? START_REQUEST : START_RESPONSE;
  }

  /** Starts discarding; `atLineStart`: whether the next byte begins a line. */
  start(atLineStart: boolean, reason: DiscardReason): void {
    this.carry = null;
    this.atLineStart = atLineStart;
    this.reason = reason;
    this.found = false;
  }

  /** A gap while discarding: the kept candidate is gone; the bytes after the gap begin a line (best guess). */
  gap(): void {
    this.carry = null;
    this.atLineStart = true;
  }

  /** Bytes kept as a possible message start (not yet parsed nor counted). */
  get carried(): number {
    return this.carry === null ? 0 : this.carry.length;
  }

  /** The kept bytes holding the message start found by scan() (null when it lay in the chunk). */
  takeCarry(): Buffer | null {
    const c = this.carry;
    this.carry = null;
    return c;
  }

  /** Consumes data[off..]; returns where the side continues (data.length when all was discarded or kept). */
  scan(data: Buffer, off: number): number {
    const end = data.length;
    const wanted = this.wanted;
    if (this.carry !== null) {
      const carry = this.carry;
      const probe = Buffer.concat([carry, data.subarray(off, Math.min(end, off + MAX_START_PROBE))]);
      findMessageStart(probe, 0, probe.length, true, wanted, scanOut);
      if (scanOut.pos === 0) {
        this.found = true; // the carry stays: the side takes it and parses it first
        return off;
      }
      this.carry = null;
      if (scanOut.keepFrom === 0 && probe.length === carry.length + (end - off)) {
        this.carry = probe; // still undecided and the whole chunk is in the probe
        return end;
      }
      this.discard(carry.length);
      this.atLineStart = false;
    }
    if (this.segmentStartOnly && this.reason === 'mid_stream') {
      if (off === 0) findMessageStart(data, 0, Math.min(end, MAX_START_PROBE), true, wanted, scanOut);
      if (off === 0 && scanOut.pos === 0) {
        this.found = true;
        return 0;
      }
      if (off === 0 && scanOut.keepFrom === 0 && end < MAX_START_PROBE) {
        this.carry = Buffer.from(data.subarray(0, end));
        return end;
      }
      this.discard(end - off);
      return end;
    }
    // Mid-stream, until the first message start: a data chunk's start is a candidate too. The capture began
    // inside a body, which need not end with a line end (a JSON body does not), and a peer starts each message
    // with a new write, so the next message often follows the body's last byte at the start of a segment.
    const lineStart = this.atLineStart || (off === 0 && this.reason === 'mid_stream');
    findMessageStart(data, off, end, lineStart, wanted, scanOut);
    if (scanOut.pos >= 0) {
      this.discard(scanOut.pos - off);
      this.found = true;
      return scanOut.pos;
    }
    if (scanOut.keepFrom >= 0) {
      this.discard(scanOut.keepFrom - off);
      this.carry = Buffer.from(data.subarray(scanOut.keepFrom, end));
      return end;
    }
    this.discard(end - off);
    this.atLineStart = data[end - 1] === 0x0a;
    return end;
  }

  /**
   * First bytes inside a CONNECT tunnel: do they start this side's kind of HTTP message? 'yes' (parse
   * from `off`, after takeCarry()), 'no' (not HTTP), or 'undecided' (all of data[off..] kept; wait).
   */
  probe(data: Buffer, off: number): 'yes' | 'no' | 'undecided' {
    let buf = data;
    let from = off;
    if (this.carry !== null) {
      buf = Buffer.concat([this.carry, data.subarray(off)]);
      from = 0;
    }
    const kind = classifyStart(buf, from, buf.length, this.wanted);
    if (kind === START_UNDECIDED && buf.length - from < MAX_START_PROBE) {
      this.carry = buf === data ? Buffer.from(data.subarray(off)) : buf;
      return 'undecided';
    }
    return kind === START_NONE || kind === START_UNDECIDED ? 'no' : 'yes';
  }

  private discard(n: number): void {
    if (n > 0) this.counters.inc(DISCARDED[this.reason], n);
  }
}

/** What the first message start of some data is (role-probe.ts). */
export type StartKind = 'request' | 'response' | 'none' | 'undecided';

/**
 * First message start in data (at a line start); 'undecided' when the data ends inside a candidate at
 * offset 0 (wait for more).
 */
export function classifyAnyStart(data: Buffer): StartKind {
  findMessageStart(data, 0, data.length, true, START_REQUEST | START_RESPONSE, scanOut);
  if (scanOut.pos < 0) return scanOut.keepFrom === 0 ? 'undecided' : 'none';
  return scanOut.kind === START_REQUEST ? 'request' : scanOut.kind === START_RESPONSE ? 'response' : 'none';
}
