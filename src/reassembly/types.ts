/**
 * Reassembly stage contract. The assembler knows nothing of HTTP: it delivers ordered bytes per
 * direction of each TCP connection to a StreamConsumer, and reports gaps as data.
 */

/** 0: from the client (the side that sent the SYN, or the guessed client); 1: from the server. */
export type Direction = 0 | 1;
export const CLIENT_TO_SERVER: Direction = 0;
export const SERVER_TO_CLIENT: Direction = 1;

export type CloseReason =
  | 'fin'      // both directions finished with FIN (or one FIN and the other side then idle)
  | 'rst'      // a RST was seen
  | 'timeout'  // idle longer than the idle timeout (packet time)
  | 'evicted'  // removed to stay under the connection cap
  | 'end';     // end of capture (file end or shutdown)

/** Facts about a connection, fixed when it is created. Strings are built once per connection. */
export interface ConnectionInfo {
  readonly id: number;
  readonly clientIp: string;
  readonly clientPort: number;
  readonly serverIp: string;
  readonly serverPort: number;
  /** True when no SYN was seen: the capture started after the connection opened. */
  readonly midStream: boolean;
  /** True when client and server were guessed (no SYN/SYN-ACK), so a consumer may swap them by content. */
  readonly rolesGuessed: boolean;
}

/**
 * Receives one connection's streams. Call order per direction: onData / onGap in stream order,
 * then exactly one onClose for the connection. Implementations must not throw.
 */
export interface StreamConsumer {
  /**
   * In-order bytes. `data` is a view into a buffer owned by the assembler or the capture batch:
   * valid only during this call; copy what you keep. Timestamps are those of the packet that
   * completed this data.
   */
  onData(dir: Direction, data: Buffer, tsSec: number, tsNsec: number): void;
  /** `length` bytes (>= 1) are missing at this point of direction `dir` and will never arrive. */
  onGap(dir: Direction, length: number, tsSec: number, tsNsec: number): void;
  /** The connection is over; no further calls follow. */
  onClose(reason: CloseReason, tsSec: number, tsNsec: number): void;
}

/** Creates a consumer for each new connection (the HTTP layer implements it). */
export interface StreamConsumerFactory {
  create(conn: ConnectionInfo): StreamConsumer;
}
