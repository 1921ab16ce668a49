/**
 * Header and trailer field lines, and chunk-size lines. A line is taken from the bytes when it lies whole in
 * the data of the execute() call (`name: value` split by position, two 'ascii' decodings, no line string),
 * or from the text of a line held across calls. Both give the same result:
 *  - `name: value`: the name up to the first ':' (no SP/HTAB in it), the value trimmed of SP/HTAB, possibly
 *    empty (what http-parser-js's `^([^: \t]+):[ \t]*((?:.*[^ \t])|)` gives for such a line);
 *  - other lines (obs-fold, a name with blanks, no ':', a CR or LF inside after decoding) go through
 *    http-parser-js's rules: a CR inside is `bare_cr`; a fold is appended to the previous value with one SP;
 *    a line without a name is ignored.
 * Text is 'ascii' decoded (Node clears the high bit: 0x8D reads as CR, 0xBA as ':'), so every byte check
 * below masks the high bit.
 */

/** Severity of obs-fold seen in the current head: none, in an ordinary field, in a framing field. */
export const FOLD_NONE = 0;
export const FOLD_PLAIN = 1;
export const FOLD_FRAMING = 2;

/** Field line results: taken, `bare_cr`. */
export const FIELD_OK = 0;
export const FIELD_BARE_CR = 1;

const FIELD_RE = /^([^: \t]+):[ \t]*((?:.*[^ \t])|)/;
const FOLD_RE = /^[ \t]+(.*[^ \t])/;

/** Buffer text decoded as 'ascii' (the high bit of each byte cleared). */
export function asciiSlice(b: Buffer, start: number, end: number): string {
  return (b as Buffer & { asciiSlice(s: number, e: number): string }).asciiSlice(start, end);
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Fold level a line starting with SP/HTAB gives, from the name of the field it continues. */
export function foldLevel(headers: string[]): number {
  if (headers.length < 2) return FOLD_NONE;
  const name = headers[headers.length - 2]!.toLowerCase();
  return name === 'transfer-encoding' || name === 'content-length' ? FOLD_FRAMING : FOLD_PLAIN;
}

/**
 * The common `name: value` line in bytes b[start, end) (LF and trailing CR excluded): pushed and true, or
 * false (nothing pushed) for any other line, which then goes through fieldText.
 */
export function fieldBytes(b: Buffer, start: number, end: number, headers: string[]): boolean {
  let colon = start;
  for (; colon < end; colon++) {
    const c = b[colon]! & 0x7f;
    if (c === 0x3a) break;
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) return false;
  }
  if (colon === start || colon === end) return false;
  let vs = colon + 1;
  let ve = end;
  for (let i = vs; i < end; i++) {
    const c = b[i]! & 0x7f;
    if (c === 0x0d || c === 0x0a) return false;
  }
  while (vs < ve && isBlank(b[vs]! & 0x7f)) vs++;
  while (ve > vs && isBlank(b[ve - 1]! & 0x7f)) ve--;
  headers.push(asciiSlice(b, start, colon), asciiSlice(b, vs, ve));
  return true;
}

/** A field line as text (not empty); FIELD_OK or FIELD_BARE_CR. */
export function fieldText(line: string, headers: string[]): number {
  const colon = line.indexOf(':');
  if (colon > 0 && line.indexOf('\r') === -1 && line.indexOf('\n') === -1) {
    let plain = true;
    for (let i = 0; i < colon; i++) {
      if (isBlank(line.charCodeAt(i))) {
        plain = false;
        break;
      }
    }
    if (plain) {
      let vs = colon + 1;
      let ve = line.length;
      while (vs < ve && isBlank(line.charCodeAt(vs))) vs++;
      while (ve > vs && isBlank(line.charCodeAt(ve - 1))) ve--;
      headers.push(line.slice(0, colon), line.slice(vs, ve));
      return FIELD_OK;
    }
  }
  if (line.indexOf('\r') !== -1) return FIELD_BARE_CR;
  const m = FIELD_RE.exec(line);
  if (m !== null && m[1]) {
    headers.push(m[1], m[2]!);
    return FIELD_OK;
  }
  const fold = FOLD_RE.exec(line);
  if (fold !== null && headers.length > 0) {
    const last = headers.length - 1;
    headers[last] = headers[last] ? `${headers[last]} ${fold[1]!}` : fold[1]!;
  }
  return FIELD_OK;
}

/** Most significant hex digits of a chunk size (13: below 2^52, a safe integer). */
const MAX_CHUNK_DIGITS = 13;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/**
 * Chunk-size line (text, or bytes when `b` is given: b[start, end)): hex with leading zeros allowed and at
 * most 13 significant digits, optional SP/HTAB, optional `;` extensions without CR/LF (ignored). The size, or -1.
 */
export function chunkSize(text: string | null, b: Buffer | null, start: number, end: number): number {
  let i = start;
  let size = 0;
  let digits = 0;
  let any = false;
  for (; i < end; i++) {
    const c = (text !== null ? text.charCodeAt(i) : b![i]!) & 0x7f;
    const h = hexValue(c);
    if (h < 0) break;
    any = true;
    if (digits > 0 || h > 0) {
      if (++digits > MAX_CHUNK_DIGITS) return -1;
      size = size * 16 + h;
    }
  }
  if (!any) return -1;
  for (; i < end; i++) {
    const c = (text !== null ? text.charCodeAt(i) : b![i]!) & 0x7f;
    if (c === 0x3b) break;
    if (c !== 0x20 && c !== 0x09) return -1;
  }
  for (; i < end; i++) {
    const c = (text !== null ? text.charCodeAt(i) : b![i]!) & 0x7f;
    if (c === 0x0d || c === 0x0a) return -1; // the extension text ('.*') holds no line terminator
  }
  return size;
}
