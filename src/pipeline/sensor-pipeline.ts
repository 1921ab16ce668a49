/**
 * The stages from decoded packets to exported exchanges, wired once:
 *   PacketPump -> PacketDecoder -> Assembler -> HttpStreamFactory (TrafficPolicy decides at request head)
 *   -> RedactingSink -> the export sink.
 * Capture sources and the export pipeline are built by the caller (they own files, sockets, interfaces).
 */
import type { Counters } from '../util/counters.js';
import { PacketPump } from './packet-pump.js';
import { PacketDecoder } from '../decode/packet-decoder.js';
import { Assembler, type AssemblerOptions } from '../reassembly/index.js';
import { HttpStreamFactory, type HttpOptions } from '../http/index.js';
import { TrafficPolicy, Redactor, RedactingSink, type TrafficPolicyOptions, type RedactorOptions } from '../policy/index.js';
import type { ExchangeSink } from '../http/types.js';

/** `bytesDelivered` -> `bytes_delivered`: the style of every counter name (src/util/counters.ts). */
function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
}

export interface SensorPipelineOptions {
  policy: Partial<TrafficPolicyOptions>;
  redaction: RedactorOptions;
  assembler: Partial<AssemblerOptions>;
  http: Partial<HttpOptions>;
}

export class SensorPipeline {
  readonly pump: PacketPump;
  readonly assembler: Assembler;
  readonly http: HttpStreamFactory;
  readonly policy: TrafficPolicy;
  readonly redactor: Redactor;
  readonly decoder: PacketDecoder;

  /** Throws PolicyConfigError (bad regex) or RangeError (bad cap) at start-up. */
  constructor(opts: SensorPipelineOptions, sink: ExchangeSink, private readonly counters: Counters) {
    this.policy = new TrafficPolicy(opts.policy, counters);
    this.redactor = new Redactor(opts.redaction, counters);
    this.http = new HttpStreamFactory(new RedactingSink(this.redactor, sink), this.policy, opts.http, counters);
    this.assembler = new Assembler(this.http, opts.assembler, counters);
    this.decoder = new PacketDecoder(counters);
    this.pump = new PacketPump(this.decoder, this.assembler);
  }

  /** Copies the stages' plain numeric fields into the counters (before each stats line). */
  publish(): void {
    const c = this.counters;
    c.set('pipeline.packets', this.pump.packets);
    c.set('pipeline.bytes', this.pump.bytes);
    c.set('pipeline.tcp_segments', this.pump.segments);
    // one name per counter: the assembler's camelCase fields under the snake_case names its counters use
    const a = this.assembler.stats() as unknown as Record<string, number>;
    for (const k of Object.keys(a)) if (typeof a[k] === 'number') c.set(`reassembly.${snakeCase(k)}`, a[k]);
    c.set('http.body_bytes_held', this.http.bodyBytesHeld);
    c.set('http.head_bytes_held', this.http.headBytesHeld);
    c.set('http.connection_states', this.http.httpStatesOpen);
    this.decoder.publish();
    this.policy.publish();
    this.redactor.publish();
  }
}
