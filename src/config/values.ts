/**
 * Parsers of `apidump` flag values, used as yargs `coerce` functions: they run on every value whatever its
 * source (command line, LEVO_* variable, config file, default) and throw a UsageError that starts with
 * `--flag:` and quotes the text the user gave (src/cli/main.ts adds where it came from).
 *
 * Rules shared by every flag (docs/configuration.md):
 * - An empty value (or only spaces) is refused: leaving a flag out gives its default, an empty value never
 *   silently turns a limit or a setting off. (An empty LEVO_* variable counts as unset, src/config/env-layer.ts.)
 * - Numbers are plain decimals: `1e3`, `0x10`, `Infinity` are refused.
 * - A config-file boolean is refused for everything but on/off flags (src/config/file-layer.ts).
 */
import { UsageError } from './usage-error.js';

/** The value as the user wrote it, for messages: `'abc'`, `an empty value`. */
export function quoted(v: unknown): string {
  if (typeof v === 'string') return v.trim() === '' ? 'an empty value' : `'${v}'`;
  return `'${Array.isArray(v) ? v.join(',') : String(v)}'`;
}

/** One value as text; refuses empty values, lists and anything but a string or number. */
export function text(flag: string, expected: string, v: unknown): string {
  if (typeof v !== 'string' && typeof v !== 'number') throw new UsageError(`--${flag}: expected ${expected}, got ${quoted(v)}`);
  const s = String(v);
  if (s.trim() === '') throw new UsageError(`--${flag}: expected ${expected}, got an empty value`);
  return s;
}

/** Any non-empty string (paths, names, addresses). */
export function nonEmpty(flag: string, expected = 'a value') {
  return (v: unknown): string => text(flag, expected, v);
}

const WHOLE = /^\d+$/;
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A whole number >= `min` (default 0, which often means "no limit"). */
export function wholeNumber(flag: string, min = 0) {
  const expected = `a whole number >= ${min}`;
  return (v: unknown): number => {
    const s = text(flag, expected, v).trim();
    if (!WHOLE.test(s) || !Number.isSafeInteger(Number(s)) || Number(s) < min) throw new UsageError(`--${flag}: expected ${expected}, got ${quoted(v)}`);
    return Number(s);
  };
}

/** A number > 0, decimals allowed. */
export function positiveNumber(flag: string) {
  const expected = 'a number > 0';
  return (v: unknown): number => {
    const s = text(flag, expected, v).trim();
    const n = Number(s);
    if (!DECIMAL.test(s) || !(n > 0)) throw new UsageError(`--${flag}: expected ${expected}, got ${quoted(v)}`);
    return n;
  };
}

/**
 * A TCP port as typed: plain decimal digits, `min`-65535. UsageError `<label>: expected <expected>, got <value>`
 * otherwise, where `label` names the flag as the command knows it (`--metrics-port`, `--port`).
 * The one port parser: apidump's --metrics-port, and the --port of `satellite` and of `health`.
 */
export function tcpPort(label: string, v: unknown, min = 0, expected = `a port number from ${min} to 65535`): number {
  const s = typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '';
  const n = WHOLE.test(s) ? Number(s) : NaN;
  if (!(n >= min && n <= 65535)) throw new UsageError(`${label}: expected ${expected}, got ${quoted(v)}`);
  return n;
}

/** A TCP port to listen on, 0 = off. */
export function listenPort(flag: string) {
  return (v: unknown): number => tcpPort(`--${flag}`, v, 0, 'a port 0-65535 (0 = off)');
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 };

/** Bytes, optionally with a binary unit: 67108864, 64MiB, 64m, 512KiB. */
export function byteSize(flag: string) {
  const expected = 'a size in bytes such as 67108864 or 64MiB';
  return (v: unknown): number => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text(flag, expected, v));
    const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
    if (!m || unit === undefined) throw new UsageError(`--${flag}: expected ${expected}, got ${quoted(v)}`);
    return Math.round(Number(m[1]) * unit);
  };
}

/** One of a fixed set of words, exactly as listed. */
export function oneOf(flag: string, choices: readonly string[]) {
  const expected = `one of ${choices.join(', ')}`;
  return (v: unknown): string => {
    const s = text(flag, expected, v);
    if (!choices.includes(s)) throw new UsageError(`--${flag}: expected ${expected}, got ${quoted(v)}`);
    return s;
  };
}

const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration given in seconds (`10`, `2.5`) or with a unit (`500ms`, `10s`, `2m`, `1h`), within
 * [minMs, maxMs] after rounding to whole milliseconds. Returns seconds (a number; `1h` -> 3600).
 */
export function duration(flag: string, minMs: number, maxMs: number) {
  const expected = 'seconds (10, 2.5) or a number with a unit (500ms, 10s, 2m, 1h)';
  const range = `from ${minMs} ms to ${maxMs / 3_600_000} h`;
  return (v: unknown): number => {
    const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h)?\s*$/i.exec(text(flag, expected, v));
    if (!m) throw new UsageError(`--${flag}: expected ${expected}, got ${quoted(v)}`);
    const ms = Math.round(Number(m[1]) * DURATION_UNIT_MS[(m[2] ?? 's').toLowerCase()]);
    if (ms < minMs || ms > maxMs) throw new UsageError(`--${flag}: ${quoted(v)} is out of range: ${range}`);
    return ms / 1000;
  };
}

/**
 * --trace-export-interval (docs/configuration.md): 10 ms to 24 h, in seconds. Its one parser: `apidump` and
 * the ECS installer, which writes the flag into the sidecar, both use it.
 */
export const traceExportInterval = duration('trace-export-interval', 10, 24 * 3_600_000);

/** A repeatable flag whose every value is one item (never comma-split); a config-file list is accepted as is. */
export function list(flag: string) {
  return (v: unknown): string[] => {
    const arr = Array.isArray(v) ? v : v === undefined ? [] : [v];
    return arr.map((x) => text(flag, 'a non-empty string', x));
  };
}
