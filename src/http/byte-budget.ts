/**
 * Bytes held by the HTTP stage across all connections against a maximum: captured bodies
 * (HttpOptions.maxBodyBufferTotal) and request heads awaiting their response (maxHeadBytesTotal). The
 * holders add what they take and subtract it when they let go; `held` never exceeds `max` by more than
 * what the holder's own rule allows (see each use).
 */
export class ByteBudget {
  held = 0;
  constructor(readonly max: number) {}
}
