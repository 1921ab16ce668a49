/**
 * Resynchronisation of one side: discards bytes until a plausible message start (message-start.ts),
 * keeping at most MAX_START_PROBE bytes across chunks when a candidate runs into the end of the data.
 * Discarded bytes are counted as `http.bytes_discarded.<reason>` (mid_stream or resync).
 */
import type { Side } from './side.js';
import { ROLE_REQUEST } from './side.js';
import {
  findMessageStart, newStartScan, MAX_START_PROBE, START_REQUEST, START_RESPONSE,
} from './message-start.js';

/** What resync needs from the connection. */
export interface ResyncHost {
  readonly ctx: { counters: { inc(name: string, by?: number): void } };
  /** The side found a message start: parse from there on. */
  resumeParsing(s: Side): void;
  /** Feeds bytes to a side in its current mode (used to replay a kept tail). */
  feedSide(role: 0 | 1, data: Buffer): void;
}

const scan = newStartScan();

function discard(host: ResyncHost, s: Side, n: number): void {
  if (n > 0) host.ctx.counters.inc(`http.bytes_discarded.${s.discardReason}`, n);
}

/** Consumes data[off..] in resync mode; returns where the caller continues (data.length when all consumed). */
export function resyncSide(host: ResyncHost, role: 0 | 1, s: Side, data: Buffer, off: number): number {
  const wanted = role === ROLE_REQUEST ? START_REQUEST : START_RESPONSE;
  const end = data.length;
  if (s.carry !== null) {
    const carry = s.carry;
    s.carry = null;
    const probe = Buffer.concat([carry, data.subarray(off, Math.min(end, off + MAX_START_PROBE))]);
    findMessageStart(probe, 0, probe.length, true, wanted, scan);
    if (scan.pos === 0) {
      host.resumeParsing(s);
      host.feedSide(role, carry);
      return off;
    }
    if (scan.keepFrom === 0 && probe.length === carry.length + (end - off)) {
      s.carry = probe; // still undecided and the whole chunk is in the probe
      return end;
    }
    discard(host, s, carry.length);
    s.atLineStart = false;
  }
  if (s.segmentStartOnly && s.discardReason === 'mid_stream') {
    // First request of a connection resumed after eviction: only a request line at the start of a segment
    // counts. A client starts each request with a new write, while
    // a line inside a request body that looks like a request line would invent a request.
    if (off === 0) findMessageStart(data, 0, Math.min(end, MAX_START_PROBE), true, wanted, scan);
    if (off === 0 && scan.pos === 0) {
      host.resumeParsing(s);
      return 0;
    }
    if (off === 0 && scan.keepFrom === 0 && end < MAX_START_PROBE) {
      s.carry = Buffer.from(data.subarray(0, end));
      return end;
    }
    discard(host, s, end - off);
    return end;
  }
  findMessageStart(data, off, end, s.atLineStart, wanted, scan);
  if (scan.pos >= 0) {
    discard(host, s, scan.pos - off);
    host.resumeParsing(s);
    return scan.pos;
  }
  if (scan.keepFrom >= 0) {
    discard(host, s, scan.keepFrom - off);
    s.carry = Buffer.from(data.subarray(scan.keepFrom, end));
    return end;
  }
  discard(host, s, end - off);
  s.atLineStart = data[end - 1] === 0x0a;
  return end;
}

/**
 * First message start in data (at a line start): 1 request, 2 response, 0 none, 3 undecided (the data
 * ends inside a candidate at offset 0: wait for more).
 */
export function classifyAnyStart(data: Buffer): number {
  findMessageStart(data, 0, data.length, true, START_REQUEST | START_RESPONSE, scan);
  if (scan.pos < 0) return scan.keepFrom === 0 ? 3 : 0;
  return scan.kind === START_REQUEST ? 1 : scan.kind === START_RESPONSE ? 2 : 0;
}

