/**
 * JsonlFileExporter (--out FILE, "-" = stdout): one exchange-record JSON line per exchange, written as
 * exchanges arrive (a local file needs no export interval).
 *
 * A file path is written through SyncFileWriter (lines encoded straight into its buffer by writeExchange,
 * batched synchronous writes: never loses a line to a busy event loop; see sync-file-writer.ts). A line
 * that fails to encode, and after a write error every line, is counted in export.jsonl.failed. Standard
 * output (a pipe or terminal, which may stall) and streams given by tests get one Buffer per line
 * (exchangeLine) through a Node write stream, as follows.
 *
 * Backpressure: lines go to the stream without waiting; a file reader waits in whenReady() after write()
 * returned false, until 'drain'. When the stream's buffer (writableLength) exceeds maxBufferedBytes, new lines are dropped and counted
 * (export.jsonl.dropped.backpressure) until it drains: a slow disk or a stalled stdout pipe costs
 * bounded memory, never a blocked capture loop. Times the stream asked to wait (write() returned
 * false) are counted in export.jsonl.backpressure. After a stream error every later line is dropped
 * and counted in export.jsonl.failed. Lines written: export.jsonl.written (for a stream, counted when the
 * stream reports the line written, for a file when its bytes are written; a line lost with a failing stream
 * or write is counted as failed instead).
 *
 * Standard output closed by its reader (EPIPE: `--out - | head -1`) is the normal end of this destination,
 * not a failure: one log line, the lines it did not take are counted in export.jsonl.dropped.stdout_closed, the run and
 * the other destinations go on, and the exit status is not affected (docs/export.md). Either way a reader
 * waiting in whenReady() is released at once, and shutdown() does not wait for a 'drain' that cannot come.
 */
import type { Writable } from 'node:stream';
import { SyncFileWriter } from './sync-file-writer.js';
import type { Counters } from '../util/counters.js';
import type { HttpExchange } from '../http/types.js';
import { exchangeLine, writeExchange } from './exchange-record.js';
import { silentLogger, type ExportLogger, type StreamExporter } from './types.js';
import { outputOpenError } from './open-error.js';

export interface JsonlFileExporterOptions {
  /** File path, truncated on open; "-" writes to stdout (never closed). */
  path: string;
  counters: Counters;
  logger?: ExportLogger;
  /** Cap on bytes buffered in the stream before lines are dropped; default 16 MiB. */
  maxBufferedBytes?: number;
  /** For tests: write here instead of opening `path`. Closed on shutdown unless it is stdout. */
  stream?: Writable;
}

export class JsonlFileExporter implements StreamExporter {
  readonly name = 'jsonl';
  private readonly counters: Counters;
  private readonly logger: ExportLogger;
  private readonly maxBuffered: number;
  private readonly stream: Writable | null;
  private readonly ownsStream: boolean;
  private failed = false;
  /** Standard output was closed by its reader (EPIPE). */
  private readerGone = false;
  private waitingForDrain = false;

  /**
   * Opens the file and resolves once it is open, so a bad path is a start-up error (rejects with an
   * OutputOpenError naming --out and the reason) rather than a silent runtime loss.
   */
  static async open(opts: JsonlFileExporterOptions): Promise<JsonlFileExporter> {
    if (opts.stream !== undefined || opts.path === '-') return new JsonlFileExporter(opts, opts.stream ?? process.stdout, null);
    let file: SyncFileWriter;
    try {
      file = new SyncFileWriter(opts.path, (err, lost) => {
        opts.counters.inc('export.jsonl.failed', lost);
        opts.logger?.error({ path: opts.path, err: String(err) }, 'export: --out write failed, further lines dropped');
      }, (lines) => opts.counters.inc('export.jsonl.written', lines));
    } catch (err) {
      throw outputOpenError('--out', opts.path, err);
    }
    return new JsonlFileExporter(opts, null, file);
  }

  private constructor(opts: JsonlFileExporterOptions, stream: Writable | null, private readonly file: SyncFileWriter | null) {
    this.counters = opts.counters;
    this.logger = opts.logger ?? silentLogger;
    this.maxBuffered = opts.maxBufferedBytes ?? 16 * 1024 * 1024;
    this.stream = stream;
    this.ownsStream = stream !== null && stream !== process.stdout;
    if (stream === null) return;
    this.path = opts.path;
    stream.on('error', (err: NodeJS.ErrnoException) => this.onStreamError(err));
    stream.on('drain', () => this.wake());
  }

  private readonly path: string = '';

  /**
   * Completion of one line handed to the stream: written, or lost with the stream. The first error decides
   * what the stream's end is (EPIPE: its reader closed it; else a failure); lines lost with it are counted
   * under that name. Shared by every line (no closure per line).
   */
  private readonly onLineDone = (err?: Error | null): void => {
    if (err === null || err === undefined) {
      this.counters.inc('export.jsonl.written');
      return;
    }
    this.onStreamError(err as NodeJS.ErrnoException);
    this.counters.inc(this.readerGone ? 'export.jsonl.dropped.stdout_closed' : 'export.jsonl.failed');
  };

  private onStreamError(err: NodeJS.ErrnoException): void {
    if (!this.failed && !this.readerGone) {
      if (err.code === 'EPIPE') {
        this.readerGone = true;
        this.logger.info({ path: this.path }, 'export: standard output closed by its reader, --out ends here (other destinations go on)');
      } else {
        this.failed = true;
        this.logger.error({ path: this.path, err: String(err) }, 'export: --out stream failed, further lines dropped');
      }
    }
    this.wake();
  }

  /** Releases whoever waits for 'drain' (after a drain, or an error after which none will come). */
  private wake(): void {
    this.waitingForDrain = false;
    const wake = this.wakeOnDrain;
    this.wakeOnDrain = null;
    wake?.();
  }

  /** No more lines can be written (write error, or standard output closed by its reader). */
  private get stopped(): boolean {
    return this.failed || this.readerGone;
  }

  /** Waits for the stream's 'drain' after write() asked to (files wait; live capture never calls this). */
  whenReady(): Promise<void> | null {
    if (this.stream === null || !this.waitingForDrain || this.stopped) return null;
    return new Promise<void>((resolve) => {
      const prev = this.wakeOnDrain;
      this.wakeOnDrain = () => { prev?.(); resolve(); };
    });
  }

  private wakeOnDrain: (() => void) | null = null;

  write(ex: HttpExchange): void {
    if (this.readerGone) {
      this.counters.inc('export.jsonl.dropped.stdout_closed');
      return;
    }
    if (this.failed) {
      this.counters.inc('export.jsonl.failed');
      return;
    }
    const stream = this.stream;
    if (stream !== null && stream.writableLength > this.maxBuffered) {
      this.counters.inc('export.jsonl.dropped.backpressure');
      return;
    }
    if (stream === null) {
      // written or lost is counted when the line's bytes are written (SyncFileWriter's callbacks)
      if (!this.file!.append(writeExchange, ex)) this.counters.inc('export.jsonl.failed');
      return;
    }
    let line: Buffer;
    try {
      line = exchangeLine(ex);
    } catch {
      this.counters.inc('export.jsonl.failed');
      return;
    }
    const ok = stream.write(line, this.onLineDone);
    if (!ok && !this.waitingForDrain) {
      this.waitingForDrain = true;
      this.counters.inc('export.jsonl.backpressure');
    }
  }

  /** Ends the file (or waits for stdout to drain) by `deadlineAt` at the latest. */
  shutdown(deadlineAt: number): Promise<void> {
    if (this.file !== null) {
      this.file.close();
      return Promise.resolve();
    }
    const stream = this.stream!;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, deadlineAt - Date.now()));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      if (this.stopped) return done();
      if (this.ownsStream) {
        stream.end(done);
      } else if (stream.writableLength === 0) {
        done();
      } else {
        stream.once('drain', done);
        stream.once('error', done);
      }
    });
  }
}
