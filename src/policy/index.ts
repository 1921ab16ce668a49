/** Public surface of the policy stage: request admission (filters, rate limits) and redaction. */
export { PolicyConfigError } from './errors.js';
export { compilePatterns, compilePattern, expandPatternValues, matchesAny, type CompileOptions } from './patterns.js';
export { normaliseEndpointPath, endpointKey, isIdentifierSegment, ID_PLACEHOLDER, ENDPOINT_KEY_MAX_LENGTH } from './endpoint-key.js';
export { TokenBucket } from './token-bucket.js';
export { EndpointLimiter, DEFAULT_MAX_ENDPOINTS } from './endpoint-limiter.js';
export {
  TrafficPolicy, type TrafficPolicyOptions, POLICY_COUNTERS,
  DEFAULT_RATE_LIMIT, DEFAULT_RATE_LIMIT_PER_ENDPOINT, DEFAULT_BURST_SECONDS,
} from './traffic-policy.js';
export { Redactor, RedactingSink, type RedactorOptions, REDACTION_COUNTERS } from './redactor.js';
export { Fingerprinter, redactionMarker, FINGERPRINT_HEX_LENGTH } from './fingerprint.js';
export { DEFAULT_REDACTED_HEADERS, DEFAULT_REDACTED_FIELDS } from './sensitive-names.js';
