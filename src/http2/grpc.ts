/**
 * gRPC over HTTP/2 (the gRPC "PROTOCOL-HTTP2" wire format): each message is a 5-byte prefix (compressed
 * flag, 4-byte big-endian length) and the message. `GrpcCounter` counts messages in one direction's DATA
 * bytes, which may split anywhere; it holds no bytes (only the prefix position and the bytes left).
 */
import type { GrpcInfo, HeaderList } from '../http/types.js';

export class GrpcCounter {
  messages = 0;
  /** Bytes of the current prefix seen (0..4), then the message bytes still to skip. */
  private prefixAt = 0;
  private len = 0;
  private left = 0;

  write(data: Buffer): void {
    let i = 0;
    while (i < data.length) {
      if (this.left > 0) {
        const k = Math.min(this.left, data.length - i);
        this.left -= k;
        i += k;
        continue;
      }
      // prefix byte 0 is the compressed flag, bytes 1..4 the length
      if (this.prefixAt > 0) this.len = this.len * 256 + data[i];
      i++;
      if (++this.prefixAt === 5) {
        this.messages++;
        this.left = this.len;
        this.prefixAt = 0;
        this.len = 0;
      }
    }
  }
}

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
