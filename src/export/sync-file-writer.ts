/**
 * SyncFileWriter: appends JSON lines to a regular file with synchronous writes, batched. Used for `--out FILE`.
 *
 * Why synchronous: an asynchronous file stream completes one write per event-loop turn, and under live
 * capture the loop is busy with packet batches, so its buffer grows until lines are dropped (measured:
 * 56% of the lines lost at 20k requests/s on loopback). A local file takes writes into the page cache at
 * memory speed, so writing synchronously keeps up and loses nothing; the cost is that a slow disk would
 * slow the capture loop (the kernel capture buffer absorbs that, and its drops are counted). Writing on
 * libuv's threadpool instead was measured and rejected (docs/performance.md).
 *
 * Buffering: lines are encoded straight into the `lines` writer's 256 KiB slab (json-line-writer.ts), which
 * is written with one write() each time it fills; a timer flushes every FLUSH_INTERVAL_MS so lines
 * appear promptly at low rates; close() flushes the rest. Memory: the slab, whatever the line sizes (a
 * line longer than the slab reaches the file in parts). A write error (disk full, EIO) is reported once
 * through `onError`, with the number of accepted lines it lost; the writer then refuses further lines (append
 * returns false) and discards what it holds. `onWritten(n)` reports lines once a write has put them in the
 * file: accepted lines are either written or lost, never both.
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import { JsonLineWriter, DEFAULT_SLAB_BYTES, type ByteSink } from './json-line-writer.js';

/** Bytes of lines held before a write: the slab's size, one write per 256 KiB of lines. */
export const FLUSH_BYTES = DEFAULT_SLAB_BYTES;
/** Longest a line waits in memory at low rates, ms. */
export const FLUSH_INTERVAL_MS = 200;

export class SyncFileWriter implements ByteSink {
  private readonly lines: JsonLineWriter;
  /** Writes so far (to tell whether a line reached the file in part). */
  private writes = 0;
  private failed = false;
  private closed = false;
  /** Lines appended whole since the last write that succeeded (not yet reported written). */
  private held = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly fd: number;

  /** Opens (truncates) `path`; throws the fs error, so a bad path is a start-up error. */
  constructor(private readonly path: string, private readonly onError: (err: Error, lostLines: number) => void,
    private readonly onWritten: (lines: number) => void = () => {}) {
    this.fd = openSync(path, 'w');
    this.lines = new JsonLineWriter(this, FLUSH_BYTES);
    this.timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /**
   * Appends one line: `encode(writer, item)` writes it (the whole line, '\n' included). False when the
   * writer has failed or is closed (nothing is written) or when `encode` threw: then the partial line is
   * taken back, or, if part of it already reached the file (a line longer than the slab), ended with a
   * '\n' so the next line starts on its own (the broken line then fails to parse as JSON).
   */
  append<T>(encode: (w: JsonLineWriter, item: T) => void, item: T): boolean {
    if (this.failed || this.closed) return false;
    const lines = this.lines;
    const start = lines.pos;
    const writes = this.writes;
    try {
      encode(lines, item);
    } catch {
      if (this.writes === writes) lines.pos = start;
      else lines.raw('\n');
      return false;
    }
    if (this.failed) return false;
    this.held++;
    return true;
  }

  /** ByteSink: writes bytes [0, length) of `bytes` now (called by the slab when it is full). */
  take(bytes: Buffer, length: number): void {
    this.writes++;
    if (this.failed) return;
    try {
      // a short write (rare on regular files) goes on with the rest
      for (let o = 0; o < length;) o += writeSync(this.fd, bytes, o, length - o);
    } catch (err) {
      this.failed = true;
      const lost = this.held;
      this.held = 0;
      this.onError(err as Error, lost);
      return;
    }
    // every line appended whole before this write is now in the file (a line being appended is counted later)
    const written = this.held;
    this.held = 0;
    if (written > 0) this.onWritten(written);
  }

  /** Writes everything held now. */
  flush(): void {
    if (!this.failed) this.lines.flush();
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    clearInterval(this.timer);
    try { closeSync(this.fd); } catch { /* already reported or nothing to do */ }
  }
}
