/**
 * Pairing after a loss. A gap inside a body of known length only shortens that body; any other gap
 * (at a message boundary, inside a head, inside a body of unknown length, during resync) may have
 * swallowed whole messages, which FIFO pairing cannot see. This tracker records that doubt and flags
 * (`interrupted`) every exchange whose pairing or depth it makes uncertain:
 *
 * - Request direction: at least one request was lost when the gap began at a request boundary (or cut a
 *   request before its start line was complete). A placeholder exchange takes its place in the FIFO so
 *   that its response, when it arrives, answers it and is discarded instead of shifting every later
 *   pairing. How many requests the gap held is unknown, so the depth of every later request is
 *   uncertain: every request opened after a request-direction loss is flagged, to the end of the
 *   connection.
 * - Response direction: a gap at a response boundary swallowed (at least the start of) the response to
 *   the oldest unanswered request: that request is given up (`interrupted`, `response: null`). The gap may
 *   also have held the responses to later requests already seen, so while requests remain unanswered the
 *   responses paired next are flagged, until the FIFO drains (no request left waiting after a pairing),
 *   which proves that every response since the loss found its request.
 *
 * - A response that finds no request waiting, on a connection that already carried requests: its request
 *   was lost or is late; FIFO pairing is doubtful for the rest of the connection (see pairingDoubtful).
 *
 * State is three booleans; no buffers.
 */
import type { PendingExchange } from './pending-exchange.js';

export class LossTracker {
  /** A request-direction loss happened: depths (and pairing) of later requests are uncertain. Permanent. */
  requestsDoubtful = false;
  /** A response-direction loss happened and requests seen before it may have lost their responses. */
  responsesDoubtful = false;

  /** A request was opened (complete or partial head). */
  onRequestOpened(ex: PendingExchange): void {
    if (this.requestsDoubtful) ex.flag('interrupted');
  }

  /**
   * A response with no request waiting was parsed (and discarded) after requests had been seen: its
   * request was lost, or is late (held behind a hole in the request direction), in which case that
   * request will take the next response. Either way FIFO pairing can no longer be trusted. Permanent.
   */
  pairingDoubtful = false;

  /** A response was paired with `ex`; `unansweredAfter` requests still wait. */
  onResponsePaired(ex: PendingExchange, unansweredAfter: number): void {
    if (this.pairingDoubtful) ex.flag('interrupted');
    if (!this.responsesDoubtful) return;
    ex.flag('interrupted');
    if (unansweredAfter === 0) this.responsesDoubtful = false;
  }

  /** After a response-direction loss has been handled: doubt remains while requests wait for answers. */
  onResponseLoss(unanswered: number): void {
    if (unanswered > 0) this.responsesDoubtful = true;
  }

  /** A response without request was parsed; `requestsSeen` requests were opened before it. */
  onOrphanResponse(requestsSeen: number): void {
    if (requestsSeen > 0) this.pairingDoubtful = true;
  }

  onRequestLoss(): void {
    this.requestsDoubtful = true;
  }

  /**
   * Whether a response arriving while no request waits may be held for the next request head. Not after
   * a request-direction loss: such a response more likely answers a lost request.
   */
  mayHoldEarly(): boolean {
    return !this.requestsDoubtful;
  }
}
