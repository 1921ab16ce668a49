/**
 * The decode stage: link, IP and TCP headers of one captured packet into a reused DecodedPacket.
 *
 * Contract of `decode`:
 *  - Reads only buf[off, off + caplen) (clamped to buf.length), never copies, never throws.
 *  - Sets `out.buf = buf` and `out.malformedReason` ('' unless the result is Malformed). The other
 *    fields of `out` are meaningful only when the result is Ok; then every offset it holds lies in
 *    [off, off + caplen). `tsSec`/`tsNsec` are not touched: the caller sets them.
 *  - Allocates nothing on the common path (any link type / IPv4 or IPv6 / TCP) nor for NotTcp,
 *    Fragment or Malformed results; an unsupported link type allocates its counter key once per DLT.
 *
 * Counting: every packet lands in exactly one of the numeric fields packetsOk, notTcp, fragments,
 * malformed, unsupportedLink (they add up to `packets`). The hot path touches only plain numbers;
 * `publish()` (called by the stats collector, and before reading Counters in tests) adds what was
 * counted since its last call to Counters as `decode.packets`, `decode.ok`, `decode.not_tcp`,
 * `decode.fragment`, `decode.malformed.<reason>` (one key per reason, see reasons.ts),
 * `decode.truncated` (Ok packets whose IP length exceeded the captured bytes: payload trimmed to
 * what was captured) and `decode.ip_length_zero` (Ok packets with an IP length field of 0, measured
 * by the capture length instead: TSO/GSO or jumbograms). The one exception is an unsupported link
 * type, counted at once as `decode.unsupported_link.<dlt>` (a whole capture has one link type, and
 * nothing of it is decoded anyway).
 */
import { DecodeResult, type DecodedPacket } from './types.js';
import type { Counters } from '../util/counters.js';
import { DecodeCursor } from './cursor.js';
import { parseLink, NetProto } from './link.js';
import { parseIPv4, parseIPv6 } from './ip.js';
import { parseTcp } from './tcp.js';
import { Malformed, MALFORMED_KEYS, MALFORMED_NAMES } from './reasons.js';

/** Counter keys of the numeric fields, in the order `publish` reads them. */
const PUBLISHED_KEYS: readonly string[] = [
  'decode.packets',
  'decode.ok',
  'decode.not_tcp',
  'decode.fragment',
  'decode.truncated',
  'decode.ip_length_zero',
];

export class PacketDecoder {
  /** Packets given to `decode`. */
  packets = 0;
  /** Outcome counts; they add up to `packets`. */
  packetsOk = 0;
  notTcp = 0;
  fragments = 0;
  malformed = 0;
  unsupportedLink = 0;
  /** Ok packets trimmed to the captured bytes / measured by the capture length (subsets of packetsOk). */
  truncated = 0;
  ipLengthZero = 0;

  private readonly cur = new DecodeCursor();
  /** `decode.unsupported_link.<dlt>` keys, built once per link type seen. */
  private readonly unsupportedKeys = new Map<number, string>();
  /** Malformed packets per reason code (index = Malformed code). */
  readonly malformedByReason = new Float64Array(MALFORMED_NAMES.length);

  /** Values already added to Counters, so `publish` adds deltas (several decoders may share one Counters). */
  private readonly published = new Float64Array(PUBLISHED_KEYS.length + MALFORMED_NAMES.length);

  constructor(private readonly counters: Counters) {}

  /** Decodes one packet of `buf` at [off, off+caplen) into `out` (reused). */
  decode(linkType: number, buf: Buffer, off: number, caplen: number, out: DecodedPacket): DecodeResult {
    this.packets++;
    out.buf = buf;
    out.malformedReason = '';
    const cur = this.cur;
    cur.reset();
    let end = off + caplen;
    if (end > buf.length) end = buf.length;
    // a caller bug, not a packet property, but still never a throw: off must be a non-negative
    // integer (Buffer reads throw on fractions), and caplen a number that does not invert the range
    if ((off >>> 0) !== off || !(end >= off)) return this.onMalformed(Malformed.BadBounds, out);

    const proto = parseLink(linkType, buf, off, end, cur);
    let result: DecodeResult;
    switch (proto) {
      case NetProto.IPv4:
        result = parseIPv4(buf, cur.netOff, end, cur, out);
        break;
      case NetProto.IPv6:
        result = parseIPv6(buf, cur.netOff, end, cur, out);
        break;
      case NetProto.ByVersion: {
        const version = cur.netOff < end ? buf[cur.netOff] >> 4 : 0;
        if (version === 4) result = parseIPv4(buf, cur.netOff, end, cur, out);
        else if (version === 6) result = parseIPv6(buf, cur.netOff, end, cur, out);
        else return this.onMalformed(cur.netOff < end ? Malformed.BadIpVersion : Malformed.TruncatedIpHeader, out);
        break;
      }
      case NetProto.NotIp:
        this.notTcp++;
        return DecodeResult.NotTcp;
      case NetProto.Malformed:
        return this.onMalformed(cur.reason, out);
      default:
        return this.onUnsupportedLink(linkType);
    }
    if (result === DecodeResult.Ok) result = parseTcp(buf, cur.l4Off, cur.l4End, cur, out);

    switch (result) {
      case DecodeResult.Ok:
        this.packetsOk++;
        if (cur.truncated) this.truncated++;
        if (cur.lengthFromCapture) this.ipLengthZero++;
        return DecodeResult.Ok;
      case DecodeResult.NotTcp:
        this.notTcp++;
        return DecodeResult.NotTcp;
      case DecodeResult.Fragment:
        this.fragments++;
        return DecodeResult.Fragment;
      default:
        return this.onMalformed(cur.reason, out);
    }
  }

  /** Adds everything counted since the last call to Counters. Cheap; call once per stats line. */
  publish(): void {
    const values = [this.packets, this.packetsOk, this.notTcp, this.fragments, this.truncated, this.ipLengthZero];
    for (let i = 0; i < values.length; i++) this.publishOne(i, PUBLISHED_KEYS[i], values[i]);
    // reason 0 is "none"
    for (let r = 1; r < MALFORMED_NAMES.length; r++) {
      this.publishOne(values.length + r, MALFORMED_KEYS[r], this.malformedByReason[r]);
    }
  }

  private publishOne(slot: number, key: string, value: number): void {
    const delta = value - this.published[slot];
    if (delta === 0) return;
    this.counters.inc(key, delta);
    this.published[slot] = value;
  }

  private onMalformed(reason: Malformed, out: DecodedPacket): DecodeResult {
    this.malformed++;
    this.malformedByReason[reason]++;
    out.malformedReason = MALFORMED_NAMES[reason];
    return DecodeResult.Malformed;
  }

  private onUnsupportedLink(linkType: number): DecodeResult {
    this.unsupportedLink++;
    let key = this.unsupportedKeys.get(linkType);
    if (key === undefined) {
      key = 'decode.unsupported_link.' + linkType;
      if (this.unsupportedKeys.size < 64) this.unsupportedKeys.set(linkType, key); // a bounded cache
    }
    this.counters.inc(key);
    return DecodeResult.UnsupportedLink;
  }
}
