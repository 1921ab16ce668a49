/**
 * Scratch state passed between the layer parsers of one decode call. One instance per decoder,
 * reused for every packet, so the layers can hand back several numbers without allocating.
 * Fields are valid only for the packet being decoded and only as far as that layer succeeded.
 */
import { Malformed } from './reasons.js';

export class DecodeCursor {
  /** Offset of the network (IP) header, set by the link layer. */
  netOff = 0;
  /** Offset of the TCP header and end (exclusive) of the TCP segment's bytes, set by the IP layer. */
  l4Off = 0;
  l4End = 0;
  /** Malformed reason code of the layer that returned Malformed. */
  reason: Malformed = Malformed.None;
  /** The IP length promised more bytes than were captured (snaplen cut); the segment was trimmed. */
  truncated = false;
  /** The IP length field was 0 (TSO/GSO or jumbogram capture); the captured length was used instead. */
  lengthFromCapture = false;

  reset(): void {
    this.reason = Malformed.None;
    this.truncated = false;
    this.lengthFromCapture = false;
  }
}
