/**
 * Per-role state of a connection: the request side (role 0) or the response side (role 1). Roles are
 * HTTP roles; the connection maps TCP directions onto them (swapped when content says so).
 */
import { MessageParser, type ParserOwner } from './parser/message-parser.js';
import type { PendingExchange } from './pending-exchange.js';

export const ROLE_REQUEST = 0;
export const ROLE_RESPONSE = 1;

/** Bytes go to the parser. */
export const MODE_PARSE = 0;
/** Bytes are discarded until a plausible message start (after an error, a gap, or a mid-stream start). */
export const MODE_RESYNC = 1;
/** Request side only: held until the answer to a CONNECT / Upgrade request says tunnel or HTTP. */
export const MODE_PAUSED = 2;
/** Response side only: HTTP/0.9 response, raw bytes until close. */
export const MODE_RAW09 = 3;
/** After an upgrade or tunnel: counted and ignored. */
export const MODE_IGNORE = 4;

/** What to do after execute() stopped on purpose (onHead returned 2 without an error). */
export const STOP_NONE = 0;
export const STOP_PAUSE = 1;
export const STOP_TUNNEL = 2;

export class Side {
  readonly parser: MessageParser;
  mode = MODE_PARSE;
  /** Resync: whether the next byte begins a line (a message-start candidate). */
  atLineStart = true;
  /** Resync: a copied tail (< MAX_START_PROBE bytes) that may begin a message, or null. */
  carry: Buffer | null = null;
  /** Counter suffix for bytes discarded while resynchronising: 'mid_stream' before the first message, else 'resync'. */
  discardReason = 'resync';
  /**
   * Request side of a connection resumed after eviction (midStream with certain roles): its first bytes
   * continue a message whose framing was lost, so while still in the mid-stream resync only a request
   * line at the start of a data chunk (a segment) is taken (see resync.ts).
   */
  segmentStartOnly = false;
  /** Paused: copies of the bytes held, at most HttpOptions.maxHeaderBytes in total. */
  held: Buffer[] = [];
  heldBytes = 0;
  /** Paused: bytes were lost while holding (cap or gap): resume by resynchronising. */
  heldBroken = false;
  /** The exchange whose message is being parsed (response side: the paired exchange), or null. */
  ex: PendingExchange | null = null;
  /**
   * Response side: bytes of a response that arrived while its request's head was still incomplete (capture
   * order is not causal order: a request's last segment may be captured after the response's first). Copies,
   * at most HttpOptions.maxHeaderBytes in total; fed to the parser once the request head completes, or as a
   * response without request when the cap is hit or the connection closes.
   */
  early: Buffer[] = [];
  earlyBytes = 0;
  earlySec = 0;
  earlyNsec = 0;
  /** Response side: the message being parsed answers no request; it is parsed and discarded. */
  orphan = false;
  /** Set by a callback to abort the message with this reason (counter suffix); handled after execute(). */
  error: string | null = null;
  stop = STOP_NONE;
  /** Timestamp of the data being processed, and of the data that held the current message's first byte. */
  tsSec = 0;
  tsNsec = 0;
  msgStartSec = 0;
  msgStartNsec = 0;

  constructor(role: 0 | 1, owner: ParserOwner) {
    this.parser = new MessageParser(role, owner);
  }

  /** Enters resync mode with a fresh parser. */
  startResync(atLineStart: boolean): void {
    this.parser.reset();
    this.mode = MODE_RESYNC;
    this.atLineStart = atLineStart;
    this.carry = null;
    this.error = null;
    this.stop = STOP_NONE;
    this.parser.internalError = null;
  }
}
