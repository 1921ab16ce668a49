/** Resolves on the next check phase of the event loop, so timers and I/O run between batches. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
