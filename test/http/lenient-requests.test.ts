/**
 * Requests stay strict where servers are (docs/http.md, "Leniency"): the forms accepted in a response are
 * errors or ignored in a request, so the sensor never invents a request; the few a request shares (LF-only
 * lines, blanks after a chunk size, repeated equal Content-Length) are flagged `lenient`. Every case gives
 * the same exchanges at every split point and byte by byte.
 */
import t from 'tap';
import { forEverySplit, req, res } from './harness.js';

const OK = res('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');

const ERRORS: Array<[string, string, string]> = [
  ['junk after a chunk size', 'POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 junk\r\nhello\r\n0\r\n\r\n', 'bad_chunk_size'],
  ['blank before a chunk size', 'POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n', 'bad_chunk_size'],
  ['Transfer-Encoding with Content-Length', 'POST /a HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n', 'te_and_content_length'],
  ['Content-Length values that differ', 'POST /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!', 'conflicting_content_length'],
  ['Content-Length: +5', 'POST /a HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello', 'bad_content_length'],
  ['chunked not last', 'POST /a HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n', 'bad_transfer_encoding'],
  ['CR without LF in a field', 'GET /a HTTP/1.1\r\nX-A: a\rb\r\n\r\n', 'bare_cr'],
  ['NUL in a field', 'GET /a HTTP/1.1\r\nX-A: a\u0000b\r\n\r\n', 'nul_byte'],
  ['obs-fold in Content-Length', 'POST /a HTTP/1.1\r\nContent-Length:\r\n 5\r\n\r\nhello', 'obs_fold_framing'],
];

for (const [what, request, reason] of ERRORS) {
  t.test(`request: ${what} is an error (${reason})`, async (t) => {
    const r = forEverySplit(t, [req(request), OK], {}, 30);
    t.equal(r.counters.get(`http.parse_error.${reason}`), 1, `http.parse_error.${reason}`);
    t.ok(r.exchanges[0]?.flags.includes('parse_error'), 'flagged parse_error');
  });
}

t.test('request: blanks before the colon: the line is ignored, not read as the field', async (t) => {
  const r = forEverySplit(t, [req('POST /a HTTP/1.1\r\nContent-Length : 5\r\n\r\n'), OK], {}, 30);
  t.equal(r.exchanges.length, 1);
  t.strictSame(r.exchanges[0]!.request.headers, [], 'no field kept');
  t.equal(r.exchanges[0]!.request.body.length, 0, 'no body');
});

const FLAGGED: Array<[string, string, string, string]> = [
  ['LF-only lines', 'POST /a HTTP/1.1\nContent-Length: 5\n\nhello', 'hello', 'lf_only'],
  ['blank after a chunk size', 'POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n', 'hello', 'chunk_size_blank'],
  ['blank before a chunk extension', 'POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 ;x=1\r\nhello\r\n0\r\n\r\n', 'hello', 'chunk_size_blank'],
  ['Content-Length twice, same value', 'POST /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello', 'hello', 'cl_repeated'],
];

for (const [what, request, body, quirk] of FLAGGED) {
  t.test(`request: ${what}: read, flagged lenient`, async (t) => {
    const r = forEverySplit(t, [req(request), OK], {}, 30);
    const ex = r.exchanges[0]!;
    t.equal(ex.request.body.bytes?.toString() ?? '', body);
    t.strictSame(ex.flags, ['lenient']);
    t.equal(r.counters.get(`http.lenient.${quirk}`), 1);
  });
}
