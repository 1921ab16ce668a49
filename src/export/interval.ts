/**
 * Parser for duration flags such as --trace-export-interval.
 *
 * Accepted forms (whitespace around the value is ignored, units are case-insensitive):
 *   `10`, `2.5`   bare number: seconds (the documented unit of --trace-export-interval)
 *   `10s`         seconds
 *   `500ms`       milliseconds
 *   `2m`          minutes
 * A number (as yargs may already have coerced it) is taken as seconds.
 * Rejected: empty, negative, zero, exponent notation, unknown units, and anything outside [minMs, maxMs].
 * Errors are thrown as IntervalError with a message that names the flag and the accepted forms.
 */

export class IntervalError extends Error {
  override name = 'IntervalError';
}

export interface IntervalLimits {
  /** Smallest accepted value in milliseconds; default 10. */
  minMs?: number;
  /** Largest accepted value in milliseconds; default 24 hours. */
  maxMs?: number;
}

const INTERVAL_RE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m)?\s*$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
const DEFAULT_MIN_MS = 10;
const DEFAULT_MAX_MS = 24 * 3600 * 1000;

/** Returns the interval in whole milliseconds (rounded to the nearest ms). */
export function parseInterval(value: string | number, flag = '--trace-export-interval', limits: IntervalLimits = {}): number {
  const minMs = limits.minMs ?? DEFAULT_MIN_MS;
  const maxMs = limits.maxMs ?? DEFAULT_MAX_MS;
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new IntervalError(`${flag}: ${value} is not a finite number of seconds`);
    ms = value * 1000;
  } else {
    const m = INTERVAL_RE.exec(value);
    if (m === null) {
      throw new IntervalError(
        `${flag}: cannot parse ${JSON.stringify(value)}; use seconds (10, 2.5), or a number with a unit: 10s, 500ms, 2m`);
    }
    ms = Number(m[1]) * UNIT_MS[(m[2] ?? 's').toLowerCase()]!;
  }
  ms = Math.round(ms);
  if (!(ms >= minMs) || ms > maxMs) {
    throw new IntervalError(`${flag}: ${JSON.stringify(String(value))} is out of range (${minMs} ms to ${maxMs / 1000} s)`);
  }
  return ms;
}
