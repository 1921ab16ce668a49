/**
 * One HTTP/2 connection (prior knowledge, h2c upgrade, or recognised mid-stream from its frames): a frame
 * reader and an HPACK decoder per direction, and the open streams, each one exchange (stream.ts), kept in a
 * StreamTable (stream-table.ts: ownership, emission, the open and linger caps).
 *
 * Header blocks: gathered per direction (header-block.ts, with its caps) and decoded in the order sent. Streams: at most MAX_OPEN_STREAMS open per
 * connection; beyond it the oldest is ended and emitted (`interrupted`, `http2.stream_overflow`).
 * A server header block for a stream whose request was not seen opens a placeholder that the request's
 * block fills when it comes (segments of both directions may be captured out of order); one still without
 * request when it ends is `interrupted` (`http2.response_without_request`).
 * A gap in a direction loses its frame boundaries: that direction is ignored (`http2.gap_desync`) until a
 * chunk starts with a plausible frame header (`plausibleFrameStart`); its frame reader and HPACK decoder then
 * start afresh (`http2.resync`), so a header block referring to entries inserted in the lost bytes finds them
 * unknown (`header_error`) instead of finding older entries at their index, and the gRPC messages of the open
 * streams in that direction pass through unframed (`http2.grpc_desync`). A connection joined mid-stream
 * (no preface expected) starts with both directions in that state. Bytes ignored so are counted
 * (`http2.bytes_discarded.<resync|mid_stream>`). Nothing here throws.
 */
import type { CloseReason, ConnectionInfo, Direction, StreamConsumer } from '../reassembly/types.js';
import type { HttpContext } from '../http/context.js';
import type { PendingExchange } from '../http/pending-exchange.js';
import {
  FLAG_END_STREAM, FRAME_CONTINUATION, FRAME_GOAWAY, FRAME_HEADERS, FRAME_PUSH_PROMISE,
  FRAME_RST_STREAM, FrameReader, plausibleFrameStart, type FrameHandler,
} from './frame-reader.js';
import { HeaderBlocks, type Block } from './header-block.js';
import { HpackDecoder } from './hpack.js';
import { StreamTable } from './stream-table.js';

export { LINGER_STREAMS, MAX_OPEN_STREAMS } from './stream-table.js';

/** The client connection preface (RFC 9113 §3.4). */
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** Largest HPACK dynamic table kept per direction (bytes as RFC 7541 counts them). */
export const HPACK_TABLE_CAP = 65536;
/** Room above `maxHeaderBytes` for a held non-DATA frame (padding, priority fields, a PUSH_PROMISE's id). */
const FRAME_ROOM = 512;

/** Whether a direction's frame boundaries are known: yes, lost after a gap, or not yet found (joined mid-stream). */
type Sync = 'synced' | 'resync' | 'mid_stream';
/** The counter of the bytes skipped while a direction is not synced. */
const DISCARDED = { resync: 'http2.bytes_discarded.resync', mid_stream: 'http2.bytes_discarded.mid_stream' } as const;

export class Http2Connection implements StreamConsumer {
  private readonly readers: [FrameReader, FrameReader];
  private readonly hpack = [new HpackDecoder(HPACK_TABLE_CAP), new HpackDecoder(HPACK_TABLE_CAP)];
  private readonly blocks: [HeaderBlocks, HeaderBlocks];
  private readonly streams: StreamTable;
  private readonly sync: [Sync, Sync];
  private sec = 0;
  private nsec = 0;
  private closed = false;
  /** Client bytes of the preface still expected (24 until seen; 0 without one). */
  private prefaceLeft: number;

  /**
   * `preface`: the client preface is expected (prior knowledge, or after an h2c upgrade): checked and skipped.
   * `upgrade`: the HTTP/1.1 request of an h2c upgrade: it is stream 1's request, whose response comes as HTTP/2.
   * Neither: joined mid-stream; each direction is read from its first chunk that starts with a plausible frame.
   */
  constructor(
    private readonly conn: ConnectionInfo, private readonly ctx: HttpContext, preface: boolean,
    upgrade: PendingExchange | null = null,
  ) {
    this.prefaceLeft = preface ? PREFACE.length : 0;
    this.streams = new StreamTable(ctx, conn);
    if (upgrade !== null) {
      this.streams.fromUpgrade(upgrade);
      ctx.counters.inc('http2.upgraded');
    }
    const cap = ctx.opts.maxHeaderBytes + FRAME_ROOM;
    this.readers = [new FrameReader(this.handler(0), cap), new FrameReader(this.handler(1), cap)];
    this.sync = preface || upgrade !== null ? ['synced', 'synced'] : ['mid_stream', 'mid_stream'];
    this.blocks = [new HeaderBlocks(ctx.counters, ctx.opts.maxHeaderBytes), new HeaderBlocks(ctx.counters, ctx.opts.maxHeaderBytes)];
    ctx.counters.inc('http2.connections');
  }

  onData(dir: Direction, data: Buffer, tsSec: number, tsNsec: number): void {
    if (this.closed || data.length === 0) return;
    this.sec = tsSec;
    this.nsec = tsNsec;
    if (this.prefaceLeft > 0) {
      data = this.skipPreface(dir, data);
      if (data.length === 0) return;
    }
    const sync = this.sync[dir];
    if (sync !== 'synced') {
      if (!plausibleFrameStart(data)) {
        this.ctx.counters.inc(DISCARDED[sync], data.length);
        return;
      }
      this.sync[dir] = 'synced';
      if (sync === 'resync') {
        this.ctx.counters.inc('http2.resync');
        this.readers[dir].reset();
        this.hpack[dir] = new HpackDecoder(HPACK_TABLE_CAP);
      }
    }
    this.readers[dir].write(data);
  }

  /**
   * Checks and skips the preface. The side that sends it is the client (so a preface from the side the
   * assembler took for the server swaps the roles); the server's frames before it are read as they come.
   */
  private skipPreface(dir: Direction, data: Buffer): Buffer {
    const at = PREFACE.length - this.prefaceLeft;
    const k = Math.min(this.prefaceLeft, data.length);
    if (at === 0 && !(data[0] === 0x50 && PREFACE.compare(data, 0, k, 0, k) === 0)) return data; // server frames
    if (PREFACE.compare(data, 0, k, at, at + k) !== 0) {
      this.ctx.counters.inc('http2.bad_preface');
      this.prefaceLeft = 0;
      return data;
    }
    if (at === 0) this.streams.clientDir = dir;
    this.prefaceLeft -= k;
    return data.subarray(k);
  }

  onGap(dir: Direction, _length: number, tsSec: number, tsNsec: number): void {
    if (this.closed) return;
    this.sec = tsSec;
    this.nsec = tsNsec;
    this.ctx.counters.inc('http2.gap_desync');
    if (this.sync[dir] === 'synced') this.sync[dir] = 'resync';
    this.blocks[dir].interrupt();
    const fromClient = dir === this.streams.clientDir;
    for (const s of this.streams.all()) {
      s.ex.flag('interrupted');
      s.desync(fromClient); // the DATA of any stream may be in the lost bytes: gRPC message framing is lost too
    }
  }

  onClose(_reason: CloseReason, tsSec: number, tsNsec: number): void {
    if (this.closed) return;
    this.closed = true;
    this.streams.closeAll(tsSec, tsNsec);
  }

  // ---- frames ----

  private handler(dir: Direction): FrameHandler {
    return {
      onFrame: (type, flags, sid, payload) => this.frame(dir, type, flags, sid, payload),
      onDataBytes: (sid, bytes) => {
        const s = this.streams.get(sid);
        if (s !== undefined) s.data(dir === this.streams.clientDir, bytes);
        else if (this.streams.ended(sid)) this.ctx.counters.inc('http2.data_after_end', bytes.length);
      },
      onDataEnd: (sid, flags, bad) => {
        if (bad) this.ctx.counters.inc('http2.bad_padding');
        if (flags & FLAG_END_STREAM) this.streams.endSide(dir, sid, this.sec, this.nsec);
      },
      onOversize: (type, flags, sid) => {
        this.ctx.counters.inc('http2.frame_too_large');
        const b = this.blocks[dir].oversize(type, flags, sid);
        if (b !== null) this.headerBlock(dir, b);
        else if (type === FRAME_PUSH_PROMISE) this.streams.get(sid)?.ex.flag('header_error');
      },
    };
  }

  private frame(dir: Direction, type: number, flags: number, sid: number, p: Buffer): void {
    const blocks = this.blocks[dir];
    if (type !== FRAME_CONTINUATION) blocks.interrupt(); // a header block must not be interleaved
    switch (type) {
      case FRAME_HEADERS:
      case FRAME_PUSH_PROMISE: {
        const b = blocks.start(type, flags, sid, p);
        if (b !== null) this.headerBlock(dir, b);
        return;
      }
      case FRAME_CONTINUATION: {
        const b = blocks.continuation(flags, sid, p);
        if (b !== null) this.headerBlock(dir, b);
        return;
      }
      case FRAME_RST_STREAM: {
        const s = this.streams.get(sid);
        this.ctx.counters.inc('http2.rst_stream');
        if (s === undefined) return;
        s.ex.flag('reset');
        this.streams.linger(s, this.sec, this.nsec);
        return;
      }
      case FRAME_GOAWAY: {
        this.ctx.counters.inc('http2.goaway');
        if (p.length < 8) return;
        // a server's GOAWAY names the last client stream it processed (a client's: the last pushed one)
        if (dir === this.streams.clientDir) return;
        const last = p.readUInt32BE(0) & 0x7fffffff;
        for (const s of this.streams.all()) if (s.id > last && s.id % 2 === 1) s.ex.flag('goaway');
        return;
      }
      default: // SETTINGS, PING, PRIORITY, WINDOW_UPDATE, unknown types: nothing for the exchanges
    }
  }

  /** A complete header block from `dir`: decoded in order, then a request, response, trailers or a push. */
  private headerBlock(dir: Direction, b: Block): void {
    const counters = this.ctx.counters;
    let fields: string[] = [];
    let bad = b.dropped;
    if (!b.dropped) {
      const d = this.hpack[dir].decode(b.fragment, this.ctx.opts.maxHeaderBytes);
      fields = d.fields;
      if (d.error !== null) counters.inc(`http2.hpack_error.${d.error}`);
      if (d.unknownIndex > 0) counters.inc('http2.hpack_unknown_index', d.unknownIndex);
      if (d.overList) counters.inc('http2.header_list_too_large');
      if (this.hpack[dir].clamped > 0) {
        counters.inc('http2.hpack_table_clamped', this.hpack[dir].clamped);
        this.hpack[dir].clamped = 0;
      }
      bad = d.error !== null || d.unknownIndex > 0 || d.overList;
    }
    const fromClient = dir === this.streams.clientDir;
    let s = this.streams.get(b.streamId);
    if (b.promised !== 0) { // a pushed stream: the promised request, its response comes later
      if (fromClient) return;
      s = this.streams.open(b.promised, fields, this.sec, this.nsec);
      s.ex.flag('pushed');
      counters.inc('http2.pushed');
      if (bad) s.ex.flag('header_error');
      s.endRequest(this.sec, this.nsec);
      return;
    }
    if (fromClient) {
      if (s === undefined) s = this.streams.open(b.streamId, fields, this.sec, this.nsec);
      else if (!s.requestSeen) s.request(fields, this.sec, this.nsec);
      else s.requestTrailers(fields);
    } else {
      s ??= this.streams.open(b.streamId, null, this.sec, this.nsec); // the request may still come (capture order), else it is lost
      s.responseBlock(fields);
    }
    if (bad) s.ex.flag('header_error');
    if (b.endStream) this.streams.endSide(dir, b.streamId, this.sec, this.nsec);
  }
}
