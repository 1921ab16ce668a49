/**
 * The consumer of one connection until its protocol is known, then the HTTP/1 or HTTP/2 state it built
 * (detect.ts decides on the first data). When the first data is too short to tell (a piece of the
 * preface shorter than 4 bytes, or fewer than 9 bytes of a server's first frame header), a copy of it
 * (at most 23 bytes, over as many pieces as it comes in) is kept and the decision is taken on later data;
 * the kept bytes are then delivered first, with their direction and the time of their first piece. A gap or the close decide at once (HTTP/1 unless the
 * kept bytes say otherwise).
 *
 * Late join inside a frame (docs/http2.md "Detection"): a connection seen mid-stream whose first data is not
 * HTTP/2 goes to HTTP/1, but until the HTTP/1 stage finds a message (`HttpConnection.inStep`), each later
 * chunk (its first bytes: where a sender's write, so often a frame, begins) is checked for a plausible
 * HTTP/2 frame start, at most MID_STREAM_PROBES chunks. On one, the HTTP/1 state (which found nothing) is
 * dropped (what it still held unread counted `http.bytes_discarded.mid_stream`) and the connection goes on as
 * HTTP/2 from that chunk (`http2.mid_stream_join`); when the probes run
 * out it stays HTTP/1 (`http2.mid_stream_probes_exhausted`). An HTTP/1 connection costs one field test per
 * chunk once in step, and nothing at all when seen from its SYN.
 */
import type { CloseReason, ConnectionInfo, Direction, StreamConsumer } from '../reassembly/types.js';
import type { HttpContext } from '../http/context.js';
import { HttpConnection } from '../http/connection.js';
import { Http2Connection } from '../http2/connection.js';
import { plausibleFrameStart } from '../http2/frame-reader.js';
import { detectProtocol, type Protocol } from './detect.js';

/** Chunks of a mid-stream connection checked for an HTTP/2 frame start while HTTP/1 has found no message. */
export const MID_STREAM_PROBES = 256;

export class ProtocolSwitch implements StreamConsumer {
  private target: StreamConsumer | null = null;
  private kept: Buffer | null = null;
  private keptDir: Direction = 0;
  private keptSec = 0;
  private keptNsec = 0;
  /** Chunks still to check for an HTTP/2 frame start (mid-stream connections handed to HTTP/1 only). */
  private probes = 0;

  constructor(private readonly info: ConnectionInfo, private readonly ctx: HttpContext) {}

  onData(dir: Direction, data: Buffer, tsSec: number, tsNsec: number): void {
    if (this.target !== null) {
      if (this.probes > 0 && this.joinedAsH2(data)) this.target = new Http2Connection(this.info, this.ctx, false);
      this.target.onData(dir, data, tsSec, tsNsec);
      return;
    }
    let probe = data;
    if (this.kept !== null && this.keptDir === dir) probe = Buffer.concat([this.kept, data]);
    let proto = detectProtocol(probe, dir, this.info.midStream);
    if (proto === null && (this.kept === null || this.keptDir === dir)) {
      // still too short (fewer than 24 bytes): kept, a copy since `data` is valid during this call only
      if (this.kept === null) {
        this.keptDir = dir;
        this.keptSec = tsSec;
        this.keptNsec = tsNsec;
      }
      this.kept = probe === data ? Buffer.from(data) : probe;
      return;
    }
    if (proto === null && this.kept !== null && this.keptDir !== dir) proto = detectProtocol(this.kept, this.keptDir, this.info.midStream, true);
    this.build(proto ?? 'http1').onData(dir, data, tsSec, tsNsec);
  }

  onGap(dir: Direction, length: number, tsSec: number, tsNsec: number): void {
    this.decided().onGap(dir, length, tsSec, tsNsec);
  }

  onClose(reason: CloseReason, tsSec: number, tsNsec: number): void {
    this.decided().onClose(reason, tsSec, tsNsec);
  }

  private decided(): StreamConsumer {
    if (this.target !== null) return this.target;
    const kept = this.kept;
    return this.build(kept === null ? 'http1' : detectProtocol(kept, this.keptDir, this.info.midStream, true) ?? 'http1');
  }

  /**
   * A later chunk of a mid-stream connection given to HTTP/1: true when it starts with a plausible HTTP/2
   * frame while HTTP/1 has found nothing (the HTTP/1 state, which holds no message, is then dropped).
   */
  private joinedAsH2(data: Buffer): boolean {
    if ((this.target as HttpConnection).inStep) {
      this.probes = 0;
      return false;
    }
    if (!plausibleFrameStart(data)) {
      if (--this.probes === 0) this.ctx.counters.inc('http2.mid_stream_probes_exhausted');
      return false;
    }
    this.probes = 0;
    this.ctx.counters.inc('http2.mid_stream_join');
    (this.target as HttpConnection).dropUnread();
    return true;
  }

  /** Builds the state for `proto` and delivers the kept bytes to it. */
  private build(proto: Protocol): StreamConsumer {
    const target = proto === 'http1'
      ? new HttpConnection(this.info, this.ctx)
      : new Http2Connection(this.info, this.ctx, proto === 'http2-preface');
    this.target = target;
    if (proto === 'http1' && this.info.midStream) this.probes = MID_STREAM_PROBES;
    const kept = this.kept;
    if (kept !== null) {
      this.kept = null;
      target.onData(this.keptDir, kept, this.keptSec, this.keptNsec);
    }
    return target;
  }
}
