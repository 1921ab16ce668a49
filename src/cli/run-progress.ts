/**
 * The progress line of a file run on a terminal (apidump --pcap with standard error a TTY): bytes of the
 * file read out of its size, packets, exchanges and the packet rate, rewritten in place (`\r`, line erased)
 * every INTERVAL_MS at most, plus once at start and once at the end (the final figures), then erased so the
 * run summary (run-summary.ts) takes its place. Never used when standard error is not a terminal.
 *
 * Bytes read: the kernel's position of the file descriptor libpcap reads (found once in /proc/self/fd by
 * the file's real path, read from /proc/self/fdinfo), which runs ahead of the packets handed over by at
 * most libpcap's stdio buffer; where /proc is not there, the packet bytes plus the classic per-record
 * header (an estimate for pcapng).
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename } from 'node:path';

export const INTERVAL_MS = 250;
/** The classic pcap file header and per-record header, for the estimate without /proc. */
const FILE_HEADER = 24;
const RECORD_HEADER = 16;

export interface ProgressSource {
  packets(): number;
  /** Packet bytes handed over so far. */
  bytes(): number;
  exchanges(): number;
}

/** 1536 -> "1.5 KiB". */
export function byteText(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** 1234567 -> "1,234,567". */
export function countText(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** The size of the file at `path` in bytes (0 when it cannot be read). */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The descriptor this process holds on `path`, or null. */
function findFd(path: string): number | null {
  try {
    const real = realpathSync(path);
    for (const name of readdirSync('/proc/self/fd')) {
      try {
        if (readlinkSync(`/proc/self/fd/${name}`) === real) return Number(name);
      } catch { /* closed meanwhile */ }
    }
  } catch { /* no /proc */ }
  return null;
}

export class RunProgress {
  /** The file's size in bytes. */
  readonly total: number;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  /** The capture file's descriptor: undefined until looked for, null when not found (the estimate is used). */
  private fd: number | null | undefined;

  constructor(
    private readonly path: string,
    private readonly source: ProgressSource,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.total = fileSize(path);
  }

  start(): void {
    this.render();
    this.timer = setInterval(() => this.render(), INTERVAL_MS);
    this.timer.unref();
  }

  /** Writes the final figures (all of the file when `completed`), then erases the line. */
  stop(completed: boolean): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.render(completed);
    this.out.write('\r\x1b[2K');
  }

  private bytesRead(done: boolean): number {
    if (done) return this.total;
    if (this.fd === undefined) this.fd = findFd(this.path);
    if (this.fd !== null) {
      try {
        const m = /^pos:\s*(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${this.fd}`, 'utf8'));
        if (m !== null) return Math.min(this.total, Number(m[1]));
      } catch { this.fd = null; }
    }
    return Math.min(this.total, FILE_HEADER + this.source.bytes() + RECORD_HEADER * this.source.packets());
  }

  private render(done = false): void {
    const read = this.bytesRead(done);
    const packets = this.source.packets();
    const sec = Math.max((Date.now() - this.started) / 1000, 0.001);
    const pct = this.total > 0 ? Math.floor((read / this.total) * 100) : 100;
    const line = `${basename(this.path)}: ${byteText(read)} / ${byteText(this.total)} (${pct}%), ${countText(packets)} packets, `
      + `${countText(this.source.exchanges())} exchanges, ${countText(packets / sec)} packets/s`;
    const width = this.out.columns ?? 120;
    this.out.write(`\r\x1b[2K${line.length >= width ? `${line.slice(0, width - 2)}…` : line}`);
  }
}
