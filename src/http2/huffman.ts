/**
 * HPACK Huffman decoding (RFC 7541 §5.2, Appendix B). The code of Appendix B is canonical: codes of one
 * length are consecutive and ordered by symbol, shorter codes first. So the table is kept as the code
 * length of each of the 257 symbols (256 is EOS) and the codes are rebuilt at load time.
 *
 * Decoding walks the bits one at a time against the first code and the symbol range of each length
 * (canonical decoding): no tree, no allocation per string beyond the output.
 */

/** Code lengths of symbols 0..256 (RFC 7541 Appendix B). */
const LENGTHS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  30,
];

const EOS = 256;
const MAX_LEN = 30;

/** firstCode[len]: the code of the first symbol of that length; start[len]: its index in SYMBOLS; count[len]. */
const firstCode = new Int32Array(MAX_LEN + 2);
const start = new Int32Array(MAX_LEN + 2);
const count = new Int32Array(MAX_LEN + 2);
/** Symbols ordered by (code length, symbol). */
const SYMBOLS = new Uint16Array(257);

(function build(): void {
  for (const l of LENGTHS) count[l]++;
  let code = 0;
  let at = 0;
  for (let len = 1; len <= MAX_LEN; len++) {
    firstCode[len] = code;
    start[len] = at;
    for (let s = 0; s < LENGTHS.length; s++) if (LENGTHS[s] === len) SYMBOLS[at++] = s;
    code = (code + count[len]) << 1;
  }
})();

/** The canonical code of a symbol (for tests: it must match RFC 7541 Appendix B). */
export function huffmanCode(symbol: number): { code: number; bits: number } {
  const len = LENGTHS[symbol];
  let i = start[len];
  while (SYMBOLS[i] !== symbol) i++;
  return { code: firstCode[len] + (i - start[len]), bits: len };
}

/**
 * Decodes a Huffman-coded string into a new buffer. Returns null when the input is invalid: EOS inside the
 * string, or a tail that is longer than 7 bits or not all ones (RFC 7541 §5.2).
 */
export function huffmanDecode(src: Buffer, from: number, to: number): Buffer | null {
  const out = Buffer.allocUnsafe(maxDecoded(to - from));
  const n = decodeInto(src, from, to, out);
  return n < 0 ? null : out.subarray(0, n);
}

/** The buffer `huffmanString` decodes into (module-owned, only ever read within one call). */
let scratch = Buffer.allocUnsafe(256);

/**
 * The same, as a latin1 string (bytes 1:1), decoded through a buffer this module owns and reuses (it grows
 * to the longest string seen, at most 8/5 of the largest header block), so the string is the only allocation.
 */
export function huffmanString(src: Buffer, from: number, to: number): string | null {
  const need = maxDecoded(to - from);
  if (scratch.length < need) scratch = Buffer.allocUnsafe(Math.max(need, 2 * scratch.length));
  const n = decodeInto(src, from, to, scratch);
  return n < 0 ? null : scratch.toString('latin1', 0, n);
}

/** Decoded bytes at most for `bytes` of code: the shortest code is 5 bits. */
function maxDecoded(bytes: number): number {
  return Math.ceil((bytes * 8) / 5);
}

/** Canonical decoding of src[from, to) into `out` (long enough: maxDecoded); the length, or -1 when invalid. */
function decodeInto(src: Buffer, from: number, to: number, out: Buffer): number {
  let n = 0;
  let code = 0;
  let len = 0;
  let ones = true; // the bits of the current partial code are all ones
  for (let i = from; i < to; i++) {
    const byte = src[i];
    for (let b = 7; b >= 0; b--) {
      const bit = (byte >> b) & 1;
      code = (code << 1) | bit;
      len++;
      if (bit === 0) ones = false;
      const k = code - firstCode[len];
      if (k >= 0 && k < count[len]) {
        const sym = SYMBOLS[start[len] + k];
        if (sym === EOS) return -1;
        out[n++] = sym;
        code = 0;
        len = 0;
        ones = true;
      } else if (len >= MAX_LEN) {
        return -1;
      }
    }
  }
  if (len > 7 || !ones) return -1;
  return n;
}
