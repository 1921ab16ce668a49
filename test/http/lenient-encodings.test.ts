/**
 * Content-Encoding and Transfer-Encoding codings as clients apply them (docs/http.md, "Leniency"): several
 * layers, list syntax, concatenated gzip members; truncated or corrupt data keeps the decoded prefix
 * (`decode_error`, `truncated`); a body not in its announced coding is reported as sent (`encoding: null`).
 * Each case gives the same exchange at every split point and byte by byte.
 */
import t from 'tap';
import zlib from 'node:zlib';
import { forEverySplit, req, res } from './harness.js';

const GET = req('GET /x HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip, deflate, br\r\n\r\n');
const plain = Buffer.from(JSON.stringify({ items: Array.from({ length: 60 }, (_, i) => ({ id: i, name: `item-${i}` })) }));
const SYNC = { finishFlush: zlib.constants.Z_SYNC_FLUSH };

function sized(fields: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\n${fields}Content-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
}

interface Case {
  what: string;
  response: Buffer;
  bytes: Buffer;
  encoding: string | null;
  truncated?: boolean;
  flags: string[];
  quirks: string[];
}

const gz = zlib.gzipSync(plain);
const truncatedGz = gz.subarray(0, gz.length - 40);
const corruptGz = Buffer.concat([gz.subarray(0, gz.length - 60), Buffer.alloc(30, 0xff)]);

const CASES: Case[] = [
  { what: 'gzip over gzip', response: sized('Content-Encoding: gzip, gzip\r\n', zlib.gzipSync(gz)), bytes: plain, encoding: 'gzip, gzip', flags: [], quirks: [] },
  { what: 'deflate, gzip: gzip decoded first', response: sized('Content-Encoding: deflate, gzip\r\n', zlib.gzipSync(zlib.deflateSync(plain))), bytes: plain, encoding: 'deflate, gzip', flags: [], quirks: [] },
  { what: 'two Content-Encoding fields', response: sized('Content-Encoding: deflate\r\nContent-Encoding: br\r\n', zlib.brotliCompressSync(zlib.deflateRawSync(plain))), bytes: plain, encoding: 'deflate, br', flags: [], quirks: [] },
  { what: 'GZIP in upper case', response: sized('Content-Encoding: GZIP\r\n', gz), bytes: plain, encoding: 'gzip', flags: [], quirks: [] },
  { what: 'deflate, (an empty item, as Chromium skips it)', response: sized('Content-Encoding: deflate,\r\n', zlib.deflateSync(plain)), bytes: plain, encoding: 'deflate', flags: ['lenient'], quirks: ['ce_list'] },
  { what: 'gzip;x (parameters: no client decodes it)', response: sized('Content-Encoding: gzip;x\r\n', gz), bytes: gz, encoding: null, flags: ['unknown_encoding'], quirks: [] },
  { what: ', gzip (an empty first item)', response: sized('Content-Encoding: , gzip\r\n', gz), bytes: plain, encoding: 'gzip', flags: ['lenient'], quirks: ['ce_list'] },
  { what: 'concatenated gzip members', response: sized('Content-Encoding: gzip\r\n', Buffer.concat([gz, zlib.gzipSync(Buffer.from('tail'))])), bytes: Buffer.concat([plain, Buffer.from('tail')]), encoding: 'gzip', flags: [], quirks: [] },
  { what: 'truncated gzip: the decoded prefix', response: sized('Content-Encoding: gzip\r\n', truncatedGz), bytes: zlib.gunzipSync(truncatedGz, SYNC), encoding: 'gzip', truncated: true, flags: ['decode_error', 'truncated'], quirks: [] },
  { what: 'corrupt gzip after a prefix', response: sized('Content-Encoding: gzip\r\n', corruptGz), bytes: Buffer.alloc(0), encoding: 'gzip', truncated: true, flags: ['decode_error', 'truncated'], quirks: [] },
  { what: 'gzip announced, plain text sent: raw bytes', response: sized('Content-Encoding: gzip\r\n', plain), bytes: plain, encoding: null, flags: ['decode_error'], quirks: [] },
  { what: 'Transfer-Encoding: gzip: until close, decoded (as curl does)', response: Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n'), gz]), bytes: plain, encoding: 'gzip', flags: ['lenient'], quirks: ['te_not_chunked'] },
  { what: 'Transfer-Encoding: gzip, chunked: de-chunked and decoded (as curl does)', response: Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n${gz.length.toString(16)}\r\n`), gz, Buffer.from('\r\n0\r\n\r\n')]), bytes: plain, encoding: 'gzip', flags: ['lenient'], quirks: ['te_list'] },
];

for (const c of CASES) {
  t.test(c.what, async (t) => {
    const r = forEverySplit(t, [GET, res(c.response)], {}, 30);
    const body = r.exchanges[0]!.response!.body;
    // corrupt data may decode to some wrong bytes before zlib sees the error: the start is the plaintext
    if (c.what.startsWith('corrupt')) t.ok(body.bytes !== null && body.bytes.length > 100 && plain.subarray(0, 100).equals(body.bytes.subarray(0, 100)), 'the decoded prefix');
    else t.ok((body.bytes ?? Buffer.alloc(0)).equals(c.bytes), 'bytes');
    if (!c.what.startsWith('corrupt')) t.equal(body.length, c.bytes.length, 'length');
    t.equal(body.encoding, c.encoding, 'encoding');
    t.equal(body.truncated, c.truncated ?? false, 'truncated');
    t.strictSame([...r.exchanges[0]!.flags].sort(), c.flags, 'flags');
    const counted = Object.keys(r.counters.snapshot()).filter((k) => k.startsWith('http.lenient.')).map((k) => k.slice(13)).sort();
    t.strictSame(counted, c.quirks, 'quirk counters');
  });
}
