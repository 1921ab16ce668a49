/**
 * Limits of the HTTP stage. Every buffer the stage holds is bounded by one of these; what a limit
 * drops is counted (see docs/http.md for the counter names).
 */
export interface HttpOptions {
  /** Decoded body bytes captured per message (--max-http-length). Beyond it `truncated` is set and
   *  `length` keeps counting the full decoded size. */
  maxHttpLength: number;
  /** Unanswered requests kept per connection (Zeek: 100). Beyond it the oldest unanswered request is
   *  emitted without a response. */
  maxPendingRequests: number;
  /** Bytes of one message head (start line + header fields). More is a parse error. Also caps the bytes
   *  held from a client that talks while its CONNECT / Upgrade request awaits the answer. */
  maxHeaderBytes: number;
  /** Captured body bytes held by the stage across all connections, until their exchanges are emitted. */
  maxBodyBufferTotal: number;
  /** Request head bytes (method, target, header fields) held by exchanges awaiting their response, across all
   *  connections. Beyond it a new request keeps its request line and Host but not its header fields
   *  (flag `headers_dropped`, counter `http.head_budget_exhausted`). */
  maxHeadBytesTotal: number;
  /** Decoded (decompressed) bytes produced per body; decoding stops there (decompression bombs). */
  maxDecodedBytes: number;
}

export const DEFAULT_HTTP_OPTIONS: Readonly<HttpOptions> = Object.freeze({
  maxHttpLength: 10_000_000,
  maxPendingRequests: 100,
  maxHeaderBytes: 64 * 1024,
  maxBodyBufferTotal: 64 * 1024 * 1024,
  maxHeadBytesTotal: 16 * 1024 * 1024,
  maxDecodedBytes: 64 * 1024 * 1024,
});

/** Fills unset fields with defaults; rejects values that are not non-negative integers (a config bug). */
export function resolveHttpOptions(partial: Partial<HttpOptions>): HttpOptions {
  const out: HttpOptions = { ...DEFAULT_HTTP_OPTIONS };
  for (const key of Object.keys(DEFAULT_HTTP_OPTIONS) as Array<keyof HttpOptions>) {
    const v = partial[key];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`HttpOptions.${key} must be a non-negative integer`);
    out[key] = v;
  }
  if (out.maxPendingRequests < 1) throw new RangeError('HttpOptions.maxPendingRequests must be >= 1');
  return out;
}
