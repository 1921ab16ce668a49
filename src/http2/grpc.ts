/**
 * gRPC over HTTP/2: the content type, and the status from the response's header or trailer fields.
 * Messages: grpc-messages.ts.
 */
import type { GrpcInfo, HeaderList } from '../http/types.js';

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
