/**
 * Responses in the unusual forms a mainstream client still reads (docs/http.md, "Leniency"): the stage
 * reports the body the client reads, flags the exchange `lenient` and counts `http.lenient.<quirk>`; every
 * case gives the same exchange at every split point and byte by byte (forEverySplit).
 */
import t from 'tap';
import { forEverySplit, req, res } from './harness.js';

const GET = req('GET /x HTTP/1.1\r\nHost: h\r\n\r\n');
const TE = 'Transfer-Encoding: chunked\r\n';

interface Case {
  what: string;
  response: string;
  body: string;
  quirks: string[];
  /** Flags besides `lenient` (sorted). */
  flags?: string[];
  status?: number;
  version?: string;
}

const CASES: Case[] = [
  // chunk sizes
  { what: 'leading zeros, upper-case hex, an extension: plain chunked', response: `HTTP/1.1 200 OK\r\n${TE}\r\n0005;a=b\r\nhello\r\nA\r\n0123456789\r\n0\r\n\r\n`, body: 'hello0123456789', quirks: [] },
  { what: 'blank after the chunk size', response: `HTTP/1.1 200 OK\r\n${TE}\r\n5 \r\nhello\r\n0\r\n\r\n`, body: 'hello', quirks: ['chunk_size_blank'] },
  { what: 'blank before the chunk size', response: `HTTP/1.1 200 OK\r\n${TE}\r\n \t5\r\nhello\r\n0\r\n\r\n`, body: 'hello', quirks: ['chunk_size_blank'] },
  { what: 'junk after the chunk size (SP)', response: `HTTP/1.1 200 OK\r\n${TE}\r\n5 junk\r\nhello\r\n0\r\n\r\n`, body: 'hello', quirks: ['chunk_size_junk'] },
  { what: 'junk after the chunk size (HTAB)', response: `HTTP/1.1 200 OK\r\n${TE}\r\n5\tx\r\nhello\r\n0\r\n\r\n`, body: 'hello', quirks: ['chunk_size_junk'] },
  { what: 'junk glued to the chunk size', response: `HTTP/1.1 200 OK\r\n${TE}\r\n5zz\r\nhello\r\n0\r\n\r\n`, body: 'hello', quirks: ['chunk_size_junk'] },
  { what: 'empty lines before the first chunk', response: `HTTP/1.1 200 OK\r\n${TE}\r\n\r\n \r\n5\r\nhello\r\n0\r\n\r\n`, body: 'hello', quirks: ['chunk_empty_line'] },
  { what: 'no final CRLF: the close ends the body', response: `HTTP/1.1 200 OK\r\n${TE}\r\n5\r\nhello\r\n0\r\n`, body: 'hello', quirks: ['chunk_no_final_crlf'] },
  { what: 'no last chunk: the close ends the body', response: `HTTP/1.1 200 OK\r\n${TE}\r\n5\r\nhello\r\n`, body: 'hello', quirks: ['close_before_end'], flags: ['interrupted'] },
  { what: 'shorter than its Content-Length', response: 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello', body: 'hello', quirks: ['close_before_end'], flags: ['interrupted'] },
  { what: 'chunk data longer than its size: an error', response: `HTTP/1.1 200 OK\r\n${TE}\r\n2\r\nhello\r\n0\r\n\r\n`, body: 'he', quirks: ['chunk_data_junk'], flags: ['parse_error'] },
  { what: 'LF-only line ends', response: `HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n5\nhello\n0\n\n`, body: 'hello', quirks: ['lf_only'] },
  // fields
  { what: 'obs-fold in an ordinary field', response: 'HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nok', body: 'ok', quirks: ['obs_fold'], flags: ['parse_error'] },
  { what: 'obs-fold in Content-Length (joined)', response: 'HTTP/1.1 200 OK\r\nContent-Length:\r\n 2\r\n\r\nok', body: 'ok', quirks: ['obs_fold'], flags: ['parse_error'] },
  { what: 'a line without colon (ignored)', response: 'HTTP/1.1 200 OK\r\nno colon here\r\nContent-Length: 2\r\n\r\nok', body: 'ok', quirks: ['field_without_colon'] },
  { what: 'Content-Length values that differ: the last', response: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 2\r\n\r\nok', body: 'ok', quirks: ['cl_conflict'] },
  { what: 'Content-Length: +2', response: 'HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok', body: 'ok', quirks: ['cl_plus_sign'] },
  { what: 'blanks before the colon (Chromium reads the field)', response: 'HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok', body: 'ok', quirks: ['space_before_colon'] },
  { what: 'NUL in a field value', response: 'HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\nContent-Length: 2\r\n\r\nok', body: 'ok', quirks: ['control_byte'] },
  { what: 'other control byte in a field name', response: 'HTTP/1.1 200 OK\r\nX\u0001A: v\r\nContent-Length: 2\r\n\r\nok', body: 'ok', quirks: ['control_byte'] },
  { what: 'CR without LF in a field value', response: 'HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 2\r\n\r\nok', body: 'ok', quirks: ['bare_cr'] },
  // framing fields
  { what: 'Transfer-Encoding with Content-Length: chunked wins', response: `HTTP/1.1 200 OK\r\nContent-Length: 3\r\n${TE}\r\n5\r\nhello\r\n0\r\n\r\n`, body: 'hello', quirks: ['te_with_cl'] },
  { what: 'Transfer-Encoding: chunked, chunked', response: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n', body: 'ok', quirks: ['te_list'] },
  { what: 'Content-Length twice, same value', response: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok', body: 'ok', quirks: ['cl_repeated'] },
  { what: 'Content-Length: 2, 2', response: 'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok', body: 'ok', quirks: ['cl_repeated'] },
  { what: 'Transfer-Encoding: Chunked (case): plain chunked', response: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n', body: 'ok', quirks: [] },
  { what: 'Transfer-Encoding: chunked, identity', response: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\n\r\n2\r\nok\r\n0\r\n\r\n', body: 'ok', quirks: ['te_chunked_not_last', 'te_list'] },
  { what: 'Transfer-Encoding: identity, chunked', response: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: identity, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n', body: 'ok', quirks: ['te_list'] },
  { what: 'Transfer-Encoding: xchunked with Content-Length: the length', response: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\nContent-Length: 2\r\n\r\nok', body: 'ok', quirks: ['te_with_cl', 'te_not_chunked'], flags: ['unknown_encoding'] },
  { what: 'Transfer-Encoding: xchunked alone: until close', response: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n2\r\nok\r\n', body: '2\r\nok\r\n', quirks: ['te_not_chunked'], flags: ['unknown_encoding'] },
  { what: 'Transfer-Encoding chunked on HTTP/1.0: de-chunked', response: `HTTP/1.0 200 OK\r\n${TE}\r\n2\r\nok\r\n0\r\n\r\n`, body: 'ok', quirks: ['te_http10'], version: '1.0' },
  // status lines
  { what: 'status line with SP and an empty reason: plain', response: 'HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok', body: 'ok', quirks: [] },
  { what: 'status line without SP after the code', response: 'HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok', body: 'ok', quirks: ['status_line'] },
  { what: 'status line HTTP/2.0', response: 'HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok', body: 'ok', quirks: ['status_line'], version: '2.0' },
  { what: 'status line with extra spaces', response: 'HTTP/1.1  200  OK\r\nContent-Length: 2\r\n\r\nok', body: 'ok', quirks: ['status_line'] },
  { what: 'status line with tabs', response: 'HTTP/1.1\t200\tOK\r\nContent-Length: 2\r\n\r\nok', body: 'ok', quirks: ['status_line'] },
  { what: 'status line HTTP/1.10', response: 'HTTP/1.10 200 OK\r\nContent-Length: 2\r\n\r\nok', body: 'ok', quirks: ['status_line'], version: '1.10' },
  { what: 'status line in lower case', response: 'http/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', body: 'ok', quirks: ['status_line'] },
  { what: 'control byte in the reason', response: 'HTTP/1.1 200 O\u0001K\r\nContent-Length: 2\r\n\r\nok', body: 'ok', quirks: ['status_line'] },
  { what: 'no status line: HTTP/0.9-style reply, raw until close', response: 'hello world\r\nmore\r\n', body: 'hello world\r\nmore\r\n', quirks: ['http09_response'], status: 0, version: '0.9' },
  { what: 'no status line, no line end', response: '{"a":1}', body: '{"a":1}', quirks: ['http09_response'], status: 0, version: '0.9' },
];

for (const c of CASES) {
  t.test(c.what, async (t) => {
    const r = forEverySplit(t, [GET, res(c.response)], {}, 60);
    t.equal(r.exchanges.length, 1);
    const ex = r.exchanges[0]!;
    t.equal(ex.response?.body.bytes?.toString('latin1') ?? '', c.body, 'the body the client reads');
    const flags = [...(c.quirks.length > 0 ? ['lenient'] : []), ...(c.flags ?? [])].sort();
    t.strictSame([...ex.flags].sort(), flags, 'flags');
    for (const q of c.quirks) t.equal(r.counters.get(`http.lenient.${q}`), 1, `http.lenient.${q}`);
    const counted = Object.keys(r.counters.snapshot()).filter((k) => k.startsWith('http.lenient.')).map((k) => k.slice(13)).sort();
    t.strictSame(counted, [...c.quirks].sort(), 'no other quirk counted');
    t.equal(ex.response?.status, c.status ?? 200);
    if (c.version !== undefined) t.equal(ex.response?.version, c.version);
  });
}

t.test('a second response without status line is still an error (only the first may be HTTP/0.9-style)', async (t) => {
  const r = forEverySplit(t, [GET, res('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), GET, res('junk\r\n')], {}, 20);
  t.equal(r.exchanges.length, 2);
  t.strictSame(r.exchanges[0]!.flags, []);
  t.equal(r.counters.get('http.parse_error.bad_status_line'), 1);
});

t.test('the close after the last chunk with a partial trailer still reports the body', async (t) => {
  const r = forEverySplit(t, [GET, res(`HTTP/1.1 200 OK\r\n${TE}\r\n2\r\nok\r\n0\r\nX-T: 1`)], {}, 20);
  t.equal(r.exchanges[0]!.response?.body.bytes?.toString(), 'ok');
  t.equal(r.counters.get('http.lenient.chunk_no_final_crlf'), 1);
});
