/**
 * The request policy: decides once per request, at request-head time, whether its exchange is kept.
 * A dropped exchange costs nothing more downstream (the HTTP stage skips its body; its response is
 * dropped with it). This class remembers nothing per request: only the two kinds of token buckets,
 * the endpoint ones in a bounded table (EndpointLimiter).
 *
 * Decision order (cheapest first; the first rule that rejects names the counter):
 *   1. host exclusions      policy.dropped.host_exclusion       (Host header as sent, port included)
 *   2. path exclusions      policy.dropped.path_exclusion       (path without query)
 *   3. user-agent excl.     policy.dropped.user_agent_exclusion
 *   4. host allow list      policy.dropped.host_allow           (empty list = allow all)
 *   5. path allow list      policy.dropped.path_allow           (empty list = allow all)
 *   6. global bucket        policy.rate_limited.global          (--rate-limit, 0 = off)
 *   7. endpoint bucket      policy.rate_limited.endpoint        (--rate-limit-per-endpoint, 0 = off)
 *   -> admitted             policy.admitted
 * Exclusions come before allow lists, so an exclusion always wins. A missing Host header or
 * User-Agent is matched as the empty string.
 * Tokens are spent only by admitted requests: a request rejected by a filter, or by one bucket,
 * takes no token from any bucket. Steps 6-7 check both buckets before spending from either, so a
 * flood on one endpoint that its own bucket rejects does not drain the global bucket.
 *
 * Counting: plain numeric fields on the hot path; publish() copies them into Counters (call it
 * before each stats line and at the end).
 */
import type { ConnectionInfo } from '../reassembly/types.js';
import type { RequestHead, RequestPolicy } from '../http/types.js';
import type { Counters } from '../util/counters.js';
import { PolicyConfigError } from './errors.js';
import { compilePatterns, matchesAny } from './patterns.js';
import { TokenBucket } from './token-bucket.js';
import { DEFAULT_MAX_ENDPOINTS, EndpointLimiter } from './endpoint-limiter.js';
import { endpointKey } from './endpoint-key.js';

export interface TrafficPolicyOptions {
  /** --host-allow: keep only requests whose Host matches one of these (case-insensitive). */
  hostAllow?: unknown;
  /** --path-allow: keep only requests whose path matches one of these. */
  pathAllow?: unknown;
  /** --host-exclusions: drop requests whose Host matches one of these (case-insensitive). */
  hostExclusions?: unknown;
  /** --path-exclusions: drop requests whose path matches one of these. */
  pathExclusions?: unknown;
  /** --exclude-user-agent: drop requests whose User-Agent matches one of these. */
  excludeUserAgent?: unknown;
  /** --rate-limit: requests per minute, 0 = no limit. Default 1000. */
  rateLimit?: number;
  /** --rate-limit-per-endpoint: requests per minute per endpoint key, 0 = off. Default 0. */
  rateLimitPerEndpoint?: number;
  /** Seconds of refill a bucket can save up (the burst). Default 10. */
  burstSeconds?: number;
  /** Cap on tracked endpoints for the per-endpoint limit. Default 10 000. */
  maxEndpoints?: number;
}
// The five pattern options take what compilePatterns accepts: a string, an array of strings, or a
// JSON list string; each value one regex, never split on commas (see patterns.ts).

export const DEFAULT_RATE_LIMIT = 1000;
export const DEFAULT_RATE_LIMIT_PER_ENDPOINT = 0;
export const DEFAULT_BURST_SECONDS = 10;

/** Names of the counters published by TrafficPolicy, in decision order. */
export const POLICY_COUNTERS = {
  hostExclusion: 'policy.dropped.host_exclusion',
  pathExclusion: 'policy.dropped.path_exclusion',
  userAgentExclusion: 'policy.dropped.user_agent_exclusion',
  hostAllow: 'policy.dropped.host_allow',
  pathAllow: 'policy.dropped.path_allow',
  rateLimitedGlobal: 'policy.rate_limited.global',
  rateLimitedEndpoint: 'policy.rate_limited.endpoint',
  admitted: 'policy.admitted',
  endpointsTracked: 'policy.endpoints.tracked',
  endpointsEvicted: 'policy.endpoints.evicted',
  clockBackwards: 'policy.clock_backwards',
} as const;

function rate(flag: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new PolicyConfigError(flag, `expected a number of requests per minute >= 0 (0 = no limit), got ${String(v)}`);
  }
  return v;
}

export class TrafficPolicy implements RequestPolicy {
  private readonly hostExclusions: RegExp[];
  private readonly pathExclusions: RegExp[];
  private readonly userAgentExclusions: RegExp[];
  private readonly hostAllow: RegExp[];
  private readonly pathAllow: RegExp[];
  private readonly global: TokenBucket | null;
  private readonly endpoints: EndpointLimiter | null;

  // Hot-path counts, published by publish().
  droppedHostExclusion = 0;
  droppedPathExclusion = 0;
  droppedUserAgentExclusion = 0;
  droppedHostAllow = 0;
  droppedPathAllow = 0;
  rateLimitedGlobal = 0;
  rateLimitedEndpoint = 0;
  admitted = 0;
  clockBackwards = 0;

  /** Compiles every pattern once; throws PolicyConfigError naming the flag (and pattern) on bad input. */
  constructor(options: TrafficPolicyOptions, private readonly counters: Counters) {
    this.hostExclusions = compilePatterns('host-exclusions', options.hostExclusions, { ignoreCase: true });
    this.pathExclusions = compilePatterns('path-exclusions', options.pathExclusions);
    this.userAgentExclusions = compilePatterns('exclude-user-agent', options.excludeUserAgent);
    this.hostAllow = compilePatterns('host-allow', options.hostAllow, { ignoreCase: true });
    this.pathAllow = compilePatterns('path-allow', options.pathAllow);
    const perMinute = rate('rate-limit', options.rateLimit, DEFAULT_RATE_LIMIT);
    const perEndpoint = rate('rate-limit-per-endpoint', options.rateLimitPerEndpoint, DEFAULT_RATE_LIMIT_PER_ENDPOINT);
    const burst = options.burstSeconds ?? DEFAULT_BURST_SECONDS;
    if (!(burst > 0) || !Number.isFinite(burst)) throw new RangeError(`burstSeconds must be > 0, got ${burst}`);
    this.global = perMinute > 0 ? new TokenBucket(perMinute, burst) : null;
    this.endpoints = perEndpoint > 0
      ? new EndpointLimiter(perEndpoint, burst, options.maxEndpoints ?? DEFAULT_MAX_ENDPOINTS)
      : null;
  }

  admit(head: RequestHead, _conn: ConnectionInfo, tsSec: number, tsNsec: number): boolean {
    const host = head.host ?? '';
    const path = head.path;
    if (this.hostExclusions.length > 0 && matchesAny(this.hostExclusions, host)) {
      this.droppedHostExclusion++;
      return false;
    }
    if (this.pathExclusions.length > 0 && matchesAny(this.pathExclusions, path)) {
      this.droppedPathExclusion++;
      return false;
    }
    if (this.userAgentExclusions.length > 0 && matchesAny(this.userAgentExclusions, head.userAgent ?? '')) {
      this.droppedUserAgentExclusion++;
      return false;
    }
    if (this.hostAllow.length > 0 && !matchesAny(this.hostAllow, host)) {
      this.droppedHostAllow++;
      return false;
    }
    if (this.pathAllow.length > 0 && !matchesAny(this.pathAllow, path)) {
      this.droppedPathAllow++;
      return false;
    }
    const global = this.global;
    if (global !== null) {
      if (!global.refill(tsSec, tsNsec)) this.clockBackwards++;
      if (!global.hasToken()) {
        this.rateLimitedGlobal++;
        return false;
      }
    }
    if (this.endpoints !== null) {
      const bucket = this.endpoints.bucketFor(endpointKey(head.method, path), tsSec, tsNsec);
      if (!bucket.hasToken()) {
        this.rateLimitedEndpoint++;
        return false;
      }
      bucket.take();
    }
    if (global !== null) global.take();
    this.admitted++;
    return true;
  }

  /** Copies the counts into Counters (names in POLICY_COUNTERS). Idempotent. */
  publish(): void {
    const c = this.counters;
    c.set(POLICY_COUNTERS.hostExclusion, this.droppedHostExclusion);
    c.set(POLICY_COUNTERS.pathExclusion, this.droppedPathExclusion);
    c.set(POLICY_COUNTERS.userAgentExclusion, this.droppedUserAgentExclusion);
    c.set(POLICY_COUNTERS.hostAllow, this.droppedHostAllow);
    c.set(POLICY_COUNTERS.pathAllow, this.droppedPathAllow);
    c.set(POLICY_COUNTERS.rateLimitedGlobal, this.rateLimitedGlobal);
    c.set(POLICY_COUNTERS.rateLimitedEndpoint, this.rateLimitedEndpoint);
    c.set(POLICY_COUNTERS.admitted, this.admitted);
    c.set(POLICY_COUNTERS.endpointsTracked, this.endpoints?.size ?? 0);
    c.set(POLICY_COUNTERS.endpointsEvicted, this.endpoints?.evictions ?? 0);
    c.set(POLICY_COUNTERS.clockBackwards, this.clockBackwards);
  }

  /** Number of endpoint buckets held (<= maxEndpoints); 0 when the per-endpoint limit is off. */
  get endpointCount(): number {
    return this.endpoints?.size ?? 0;
  }

  /** True when an admitted request has no effect on any limit (no rate limits configured). */
  get unlimited(): boolean {
    return this.global === null && this.endpoints === null;
  }
}
