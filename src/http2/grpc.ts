/**
 * gRPC over HTTP/2: the content type, the status from the response's header or trailer fields, and the
 * flags and counters of the messages kept as sent. Messages: grpc-messages.ts.
 */
import type { GrpcInfo, HeaderList } from '../http/types.js';
import type { PendingExchange } from '../http/pending-exchange.js';
import type { Counters } from '../util/counters.js';
import type { GrpcMessages } from './grpc-messages.js';

export function isGrpc(contentType: string | null): boolean {
  return contentType !== null && contentType.toLowerCase().startsWith('application/grpc');
}

/** Reads `grpc-status` / `grpc-message` (percent-encoded, RFC 3986) from a header or trailer list. */
export function readGrpcStatus(info: GrpcInfo, fields: HeaderList): void {
  for (const [name, value] of fields) {
    if (name === 'grpc-status') {
      const n = Number.parseInt(value, 10);
      info.status = Number.isFinite(n) ? n : null;
    } else if (name === 'grpc-message') {
      try {
        info.message = decodeURIComponent(value);
      } catch {
        info.message = value;
      }
    }
  }
}

/**
 * What one direction's compressed messages came to: flag `unknown_encoding` and `http2.grpc_unknown_encoding`
 * for messages in an encoding not decoded here; flag `decode_error` and `http2.grpc_undecoded` for those that
 * could not be decoded (of which `http2.grpc_budget_exhausted` the ones the body budget could not hold,
 * `http2.grpc_decode_cap` those past the direction's decoding work cap). Counts are per message; the decoding
 * work in `http2.grpc_decoded_bytes` (output of every pass) and `http2.grpc_decode_passes`.
 */
export function reportGrpcMessages(msgs: GrpcMessages, ex: PendingExchange, counters: Counters): void {
  if (msgs.unknown > 0) {
    ex.flag('unknown_encoding');
    counters.inc('http2.grpc_unknown_encoding', msgs.unknown);
  }
  if (msgs.failures > 0) {
    ex.flag('decode_error');
    counters.inc('http2.grpc_undecoded', msgs.failures);
  }
  if (msgs.overBudget > 0) counters.inc('http2.grpc_budget_exhausted', msgs.overBudget);
  if (msgs.capped > 0) counters.inc('http2.grpc_decode_cap', msgs.capped);
  if (msgs.work.passes > 0) {
    counters.inc('http2.grpc_decode_passes', msgs.work.passes);
    counters.inc('http2.grpc_decoded_bytes', msgs.work.bytes);
  }
}
