/**
 * Which protocol a connection speaks, decided once on its first bytes (docs/http2.md "Detection"):
 * - the HTTP/2 client preface `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n` (or, when the first data is shorter,
 *   a prefix of it of at least 4 bytes) -> HTTP/2 with prior knowledge;
 * - server first: the first data is from the server and starts with a SETTINGS frame header (an HTTP/2
 *   server sends its SETTINGS as soon as the connection opens, often before the client's preface arrives)
 *   -> HTTP/2, the client's preface expected;
 * - a connection seen from the middle (no SYN) whose first data starts with a plausible HTTP/2 frame
 *   header (and a second one when the data holds its position) -> HTTP/2 without preface;
 * - anything else -> HTTP/1 as before. The check reads at most 24 bytes of the first data, or two frame
 *   headers; when those are too few to tell, the caller keeps them and asks again with more (switch.ts).
 */
import { plausibleFrameHeader, plausibleFrameStart } from '../http2/frame-reader.js';
import { PREFACE } from '../http2/connection.js';

export type Protocol = 'http1' | 'http2-preface' | 'http2-frames';

/**
 * `dir`: the direction of the first data (1: from the side the assembler takes for the server). null: too
 * short to tell (a prefix of the preface shorter than 4 bytes; fewer than 9 bytes from the server that
 * may start a frame header); `final` decides anyway (HTTP/1 then).
 */
export function detectProtocol(data: Buffer, dir: number, midStream: boolean, final = false): Protocol | null {
  const n = Math.min(data.length, PREFACE.length);
  if (data[0] === 0x50 /* P */ && PREFACE.compare(data, 0, n, 0, n) === 0) {
    if (n >= 4) return 'http2-preface';
    if (!final) return null;
  }
  if (!final && dir === 1 && !midStream && data.length < 9 && data[0] === 0) return null;
  if (dir === 1 && !midStream && data.length >= 9 && data[3] === 4 /* SETTINGS */ && plausibleFrameHeader(data, 0)) {
    return 'http2-preface';
  }
  if (midStream && plausibleFrameStart(data)) return 'http2-frames';
  return 'http1';
}
