/**
 * The decode -> reassembly -> http stages wired in process (no capture, no policy, no export), and the
 * invariants every run must keep whatever the input.
 * Call order: feed / tick (any number), then finish() once, then invariants().
 */
import { PacketDecoder } from '../../src/decode/packet-decoder.js';
import { DecodedPacket, DecodeResult } from '../../src/decode/types.js';
import { Assembler, type AssemblerOptions } from '../../src/reassembly/index.js';
import { HttpStreamFactory, type HttpOptions, type HttpExchange } from '../../src/http/index.js';
import { Counters } from '../../src/util/counters.js';

/**
 * Flags that mark an exchange as possibly incomplete or unreliable (`header_error`: an HTTP/2 header block
 * that could not be decoded in full, e.g. referring to dynamic table entries lost with a gap).
 */
export const DAMAGE_FLAGS = new Set(['gap', 'interrupted', 'parse_error', 'no_response', 'decode_error', 'truncated', 'header_error']);

export function isFlagged(ex: HttpExchange): boolean {
  return ex.flags.some((f) => DAMAGE_FLAGS.has(f));
}

/**
 * The lossy properties' check: the run's invariants hold and every exchange reported without a damage flag
 * is, by `keyOf`, one of `sentKeys` (a multiset: each sent key accounts for one exchange). Returns a
 * description of the first failure, or ''.
 */
export function checkNeverInvented(p: InProcessPipeline, sentKeys: string[], keyOf: (ex: HttpExchange) => string): string {
  const bad = p.invariants();
  if (bad.length) return bad.join('; ');
  const left = new Map<string, number>();
  for (const k of sentKeys) left.set(k, (left.get(k) ?? 0) + 1);
  for (const ex of p.exchanges) {
    if (isFlagged(ex)) continue;
    const k = keyOf(ex);
    const n = left.get(k) ?? 0;
    const where = ex.streamId === undefined ? `#${ex.depth}` : `stream ${ex.streamId}`;
    if (n === 0) return `unflagged exchange that was never sent: ${where} ${k} (flags ${ex.flags.join(',') || 'none'})`;
    left.set(k, n - 1);
  }
  return '';
}

export class InProcessPipeline {
  readonly counters = new Counters();
  readonly decoder = new PacketDecoder(this.counters);
  readonly http: HttpStreamFactory;
  readonly assembler: Assembler;
  /** Every exchange emitted (admit-all policy), in emission order. */
  readonly exchanges: HttpExchange[] = [];
  private readonly pkt = new DecodedPacket();
  private lastSec = 0;
  private lastNsec = 0;

  constructor(opts: { assembler?: Partial<AssemblerOptions>; http?: Partial<HttpOptions> } = {}) {
    this.http = new HttpStreamFactory({ onExchange: (ex) => this.exchanges.push(ex) }, { admit: () => true }, opts.http ?? {}, this.counters);
    this.assembler = new Assembler(this.http, opts.assembler ?? {}, this.counters, 12345);
  }

  /** One captured frame (the caller may reuse the buffer after the call). */
  feed(linkType: number, frame: Buffer, tsSec: number, tsNsec: number): DecodeResult {
    const pkt = this.pkt;
    pkt.tsSec = tsSec;
    pkt.tsNsec = tsNsec;
    const r = this.decoder.decode(linkType, frame, 0, frame.length, pkt);
    if (r === DecodeResult.Ok) this.assembler.onPacket(pkt);
    if (tsSec > this.lastSec || (tsSec === this.lastSec && tsNsec > this.lastNsec)) {
      this.lastSec = tsSec;
      this.lastNsec = tsNsec;
    }
    return r;
  }

  /** The per-batch tick the packet pump gives the assembler (newest packet time seen). */
  tick(): void {
    this.assembler.tick(this.lastSec, this.lastNsec);
  }

  finish(): void {
    this.assembler.closeAll();
    this.decoder.publish();
    this.assembler.stats();
  }

  /** Broken invariants after finish(), as readable sentences (empty when all hold). */
  invariants(): string[] {
    const bad: string[] = [];
    const d = this.decoder;
    const c = this.counters;
    if (d.packetsOk + d.notTcp + d.fragments + d.malformed + d.unsupportedLink !== d.packets) {
      bad.push(`decode outcomes ${d.packetsOk}+${d.notTcp}+${d.fragments}+${d.malformed}+${d.unsupportedLink} != packets ${d.packets}`);
    }
    for (const k of ['reassembly.internal_error', 'reassembly.consumer_error', 'http.internal_error', 'http.sink_error', 'http.parse_error.internal']) {
      if (c.get(k) !== 0) bad.push(`${k} = ${c.get(k)}`);
    }
    if (c.get('http.exchanges') !== this.exchanges.length) bad.push(`http.exchanges ${c.get('http.exchanges')} != emitted ${this.exchanges.length}`);
    // an HTTP/2 stream whose response came without its request is reported (interrupted) without a request
    const requests = c.get('http.requests') + c.get('http2.response_without_request');
    if (this.exchanges.length > requests) bad.push(`emitted ${this.exchanges.length} > http.requests ${c.get('http.requests')} + http2.response_without_request ${c.get('http2.response_without_request')}`);
    const s = this.assembler.stats();
    if (s.connectionsOpen !== 0) bad.push(`connections still open after closeAll: ${s.connectionsOpen}`);
    if (s.bytesBuffered !== 0 || s.segmentsBuffered !== 0) bad.push(`held data after closeAll: ${s.bytesBuffered} B, ${s.segmentsBuffered} segments`);
    if (this.http.bodyBytesHeld !== 0) bad.push(`http body bytes still held after close: ${this.http.bodyBytesHeld}`);
    for (const ex of this.exchanges) {
      if (ex.depth < 1) bad.push(`depth ${ex.depth}`);
      const bodies = ex.response ? [ex.request.body, ex.response.body] : [ex.request.body];
      for (const body of bodies) {
        if (!Number.isSafeInteger(body.length) || body.length < 0) bad.push(`body length ${body.length} (#${ex.depth})`);
        const held = body.bytes?.length ?? 0;
        if (body.bytes !== null && held < body.length && !body.truncated) bad.push(`body holds ${held} B < length ${body.length} without truncated (#${ex.depth})`);
        if (held > body.length) bad.push(`body holds ${held} B > length ${body.length} (#${ex.depth})`);
      }
    }
    return bad;
  }
}
