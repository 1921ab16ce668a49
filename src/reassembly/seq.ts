/**
 * TCP sequence-number arithmetic modulo 2^32.
 *
 * Sequence numbers are stored as unsigned 32-bit values in plain numbers (0 .. 2^32-1). Two
 * positions are compared through their signed 32-bit distance, which is correct as long as they
 * are less than 2^31 apart; the assembler never holds data further than MAX_AHEAD_BYTES (2^30)
 * beyond the next expected byte, so every comparison it makes stays in that range.
 */

/** Signed distance a - b in the 32-bit sequence space: > 0 when a is after b. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** Sequence number `n` bytes after `a` (n may be negative), as an unsigned 32-bit value. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/**
 * Largest distance ahead of the next expected byte at which data is accepted (1 GiB, the largest
 * TCP window with window scaling). Anything further is not a plausible segment of this stream.
 */
export const MAX_AHEAD_BYTES = 1 << 30;
