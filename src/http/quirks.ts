/**
 * Lenient framing: the unusual forms the sensor accepts because a mainstream client reads a body through
 * them (docs/http.md, "Leniency"). Each is a bit; the parser (MessageParser.quirks), the framing decision
 * (Framing.quirks) and the body collector (BodyCollector.quirks) set them, and the stage reports them with
 * reportQuirks: flag `lenient` on the exchange, counter `http.lenient.<name>` per bit.
 */

// ---- parser: head ----
/** A head line ended by LF without CR. */
export const QUIRK_LF_ONLY = 1 << 0;
/** An obs-fold continuation line in the head. */
export const QUIRK_OBS_FOLD = 1 << 1;
/** SP or HTAB between a field name and its colon (the name is trimmed). */
export const QUIRK_SPACE_BEFORE_COLON = 1 << 2;
/** A control byte (NUL included) in a field name or value, kept as sent. */
export const QUIRK_CONTROL_BYTE = 1 << 3;
/** A CR not followed by LF inside a field line, kept in the value. */
export const QUIRK_BARE_CR = 1 << 4;
/** A status line of an unusual form: extra or tab blanks, lower-case `http/`, a long version, control bytes. */
export const QUIRK_STATUS_LINE = 1 << 5;
/** No status line: the response is the raw bytes until close (HTTP/0.9-style reply). */
export const QUIRK_HTTP09_RESPONSE = 1 << 6;

// ---- parser: chunked body ----
/** SP / HTAB before a chunk size, or after it without an extension. */
export const QUIRK_CHUNK_SIZE_BLANK = 1 << 7;
/** Bytes after a chunk size that are neither blanks nor a `;` extension (read up to the LF, like an extension). */
export const QUIRK_CHUNK_SIZE_JUNK = 1 << 8;
/** Empty (or blank) lines before a chunk size. */
export const QUIRK_CHUNK_EMPTY_LINE = 1 << 9;
/** Transfer-Encoding chunked on an HTTP/1.0 message (de-chunked). */
export const QUIRK_TE_HTTP10 = 1 << 10;
/** The connection closed after the last chunk, before the final CRLF. */
export const QUIRK_CHUNK_NO_FINAL_CRLF = 1 << 11;

// ---- framing ----
/** Transfer-Encoding chunked together with Content-Length (chunked wins). */
export const QUIRK_TE_WITH_CL = 1 << 12;
/** Content-Length sent more than once with the same value, or as a list (`5, 5`). */
export const QUIRK_CL_REPEATED = 1 << 13;
/** Transfer-Encoding with chunked not last (`chunked, identity`): de-chunked. */
export const QUIRK_TE_CHUNKED_NOT_LAST = 1 << 14;
/** Transfer-Encoding without chunked (`xchunked`, `gzip`): Content-Length or read until close, not decoded. */
export const QUIRK_TE_NOT_CHUNKED = 1 << 15;
/** Content-Encoding list syntax: empty items (`deflate,`, `, gzip`). */
export const QUIRK_CE_LIST = 1 << 16;

/** Transfer-Encoding chunked combined with other codings or repeated (`gzip, chunked`, `identity, chunked`). */
export const QUIRK_TE_LIST = 1 << 17;
/** Content-Length values that differ: the last one is used (curl). */
export const QUIRK_CL_CONFLICT = 1 << 18;
/** Content-Length with a plus sign (`+12`): read as the number. */
export const QUIRK_CL_PLUS_SIGN = 1 << 19;
/** A head line without a colon (ignored). */
export const QUIRK_FIELD_WITHOUT_COLON = 1 << 20;
/** The connection closed inside a body whose framing announced more (Content-Length, chunks). */
export const QUIRK_CLOSE_BEFORE_END = 1 << 21;
/** Chunk data not followed by its line end (a parse error, counted as a quirk too). */
export const QUIRK_CHUNK_DATA_JUNK = 1 << 22;

// ---- body outcomes (BodyCollector.quirks): flags only, not `lenient` ----
/** Compressed data truncated or corrupt after some output: the decoded prefix is reported; flag `truncated`. */
export const REPORT_DECODE_PARTIAL = 1 << 28;
/** A coding the sensor does not know (`gzip;x`, `foo`): raw bytes reported; flag `unknown_encoding`. */
export const REPORT_UNKNOWN_ENCODING = 1 << 29;
/** The bits that make an exchange `lenient` (all QUIRK_*). */
export const LENIENT_BITS = (1 << 23) - 1;

/** Counter suffixes by bit number. */
export const QUIRK_NAMES: readonly string[] = [
  'lf_only', 'obs_fold', 'space_before_colon', 'control_byte', 'bare_cr', 'status_line', 'http09_response',
  'chunk_size_blank', 'chunk_size_junk', 'chunk_empty_line', 'te_http10', 'chunk_no_final_crlf',
  'te_with_cl', 'cl_repeated', 'te_chunked_not_last', 'te_not_chunked', 'ce_list',
  'te_list', 'cl_conflict', 'cl_plus_sign', 'field_without_colon', 'close_before_end', 'chunk_data_junk',
];

/** Counter names by bit number (`http.lenient.<name>`), built once. */
const COUNTER_NAMES: readonly string[] = QUIRK_NAMES.map((n) => `http.lenient.${n}`);

/**
 * Flags `lenient` on the exchange and counts `http.lenient.<name>` once per QUIRK_* bit set; REPORT_* bits
 * add their flag (`truncated`, `unknown_encoding`). No-op for 0.
 */
export function reportQuirks(
  ex: { flag(name: string): void },
  counters: { inc(name: string, by?: number): void },
  bits: number,
): void {
  if (bits === 0) return;
  if ((bits & REPORT_DECODE_PARTIAL) !== 0) ex.flag('truncated');
  if ((bits & REPORT_UNKNOWN_ENCODING) !== 0) ex.flag('unknown_encoding');
  if ((bits & LENIENT_BITS) === 0) return;
  ex.flag('lenient');
  for (let i = 0; i < COUNTER_NAMES.length; i++) if ((bits & (1 << i)) !== 0) counters.inc(COUNTER_NAMES[i]!);
}
