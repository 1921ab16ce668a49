import type { PendingExchange } from './pending-exchange.js';
export class LossTracker {
  onRequestOpened(_ex: PendingExchange): void {}
  mayHoldEarly(): boolean { return true; }
  onResponsePaired(_ex: PendingExchange, _unansweredAfter: number): void {}
}
