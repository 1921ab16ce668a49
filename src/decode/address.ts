/**
 * Address formatting for logs and exported records: called once per connection, never per packet.
 * Reads `len` bytes at `off` of `buf` (e.g. DecodedPacket.buf at srcAddrOff, addrLen) and returns a
 * new string; never throws: a range outside the buffer gives ''.
 */

/** Dotted quad of the 4 bytes at `off`. */
export function formatIPv4(buf: Buffer, off: number): string {
  if (!inBounds(buf, off, 4)) return '';
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

/**
 * RFC 5952 text of the 16 bytes at `off`: lower-case hex without leading zeros, the longest run
 * of two or more zero groups (the first one on a tie) written as "::", and IPv4-mapped addresses
 * (::ffff:0:0/96) with the IPv4 part dotted (section 5).
 */
export function formatIPv6(buf: Buffer, off: number): string {
  if (!inBounds(buf, off, 16)) return '';
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((buf[off + 2 * i] << 8) | buf[off + 2 * i + 1]);

  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return '::ffff:' + formatIPv4(buf, off + 12);
  }

  let bestStart = -1;
  let bestLen = 1; // a single zero group is never compressed
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }

  const hex = (g: number): string => g.toString(16);
  if (bestStart < 0) return groups.map(hex).join(':');
  const head = groups.slice(0, bestStart).map(hex).join(':');
  const tail = groups.slice(bestStart + bestLen).map(hex).join(':');
  return head + '::' + tail;
}

/** IPv4 for len 4, IPv6 for len 16, otherwise lower-case hex of the bytes (no separator). */
export function formatAddress(buf: Buffer, off: number, len: number): string {
  if (len === 4) return formatIPv4(buf, off);
  if (len === 16) return formatIPv6(buf, off);
  if (!inBounds(buf, off, len)) return '';
  return buf.toString('hex', off, off + len);
}

function inBounds(buf: Buffer, off: number, len: number): boolean {
  return Number.isInteger(off) && Number.isInteger(len) && off >= 0 && len >= 0 && off + len <= buf.length;
}
