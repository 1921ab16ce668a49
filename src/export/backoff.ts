/**
 * Retry timing for the satellite exporters: exponential backoff with jitter, and Retry-After.
 */

export interface BackoffOptions {
  /** Delay before the first retry, ms; default 500. */
  initialMs?: number;
  /** Upper bound of the computed delay (before jitter), ms; default 30000. */
  maxMs?: number;
  /** Growth factor per attempt; default 2. */
  multiplier?: number;
  /** Jitter as a fraction of the delay: the delay is scaled by a random factor in [1-j, 1+j]; default 0.2. */
  jitter?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.2 };

/**
 * Delay before retry number `attempt` (1 = first retry), in ms. `random` returns a value in [0, 1)
 * (Math.random in production, fixed in tests).
 */
export function backoffDelayMs(attempt: number, opts: Required<BackoffOptions>, random: () => number = Math.random): number {
  const exp = Math.min(opts.maxMs, opts.initialMs * Math.pow(opts.multiplier, Math.max(0, attempt - 1)));
  const factor = 1 + opts.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(exp * factor));
}

const DELAY_SECONDS_RE = /^\s*(\d+)\s*$/;

/**
 * Parses a Retry-After header value (delay-seconds or an HTTP-date) into ms from `nowMs`.
 * Returns undefined when absent or unparsable; a date in the past gives 0.
 */
export function parseRetryAfterMs(value: string | string[] | undefined, nowMs = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === '') return undefined;
  const m = DELAY_SECONDS_RE.exec(v);
  if (m !== null) return Number(m[1]) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
