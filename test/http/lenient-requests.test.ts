/**
 * Requests stay strict where servers are (docs/http.md, "Leniency"): the forms accepted in a response are
 * errors or ignored in a request, so the sensor never invents a request; the few a request shares (LF-only
 * lines, blanks after a chunk size, repeated equal Content-Length) are flagged `lenient`. Every case gives
 * the same exchanges at every split point and byte by byte.
 */
import t from 'tap';
import { forEverySplit, req, res } from './harness.js';

const OK = res('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');

// The forms that are errors in a request (junk or blanks at a chunk size, Transfer-Encoding with
// Content-Length, differing Content-Length values, `+5`, chunked not last, a bare CR, NUL, obs-fold in a
// framing field): test/http/damage.test.ts, with the resync to the next request.

// A request's field line that is not `name: value` is an error (a server answers 400): reading on would
// take a chunked body's data for request lines and invent the request found there.
const SMUGGLE = 'POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n'
  + '20\r\nGET /admin HTTP/1.1\r\nHost: h\r\n\r\n\r\n0\r\n\r\n';
const BAD_FIELDS: Array<[string, string]> = [
  ['blanks before the colon', SMUGGLE],
  ['a line without a colon', SMUGGLE.replace('Transfer-Encoding : chunked', 'Transfer-Encoding chunked')],
  ['a line without a name', SMUGGLE.replace('Transfer-Encoding : chunked', ': chunked')],
];
for (const [what, request] of BAD_FIELDS) {
  t.test(`request: ${what} is bad_field; the chunk data is not read as a request`, async (t) => {
    const r = forEverySplit(t, [req(request), OK], {}, 30);
    t.equal(r.exchanges.length, 1, 'exactly one exchange');
    t.equal(r.exchanges[0]!.request.path, '/a');
    t.ok(r.exchanges[0]!.flags.includes('parse_error'), 'flagged parse_error');
    t.equal(r.counters.get('http.parse_error.bad_field'), 1);
    t.equal(r.heads.filter((h) => h.path === '/admin').length, 0, 'no /admin request seen by the policy');
  });
}

t.test('request: a CR in an obs-fold line is bare_cr, not only obs_fold', async (t) => {
  const r = forEverySplit(t, [req('GET /a HTTP/1.1\r\nX-A: a\r\n b\rc\r\n\r\n'), OK], {}, 30);
  t.equal(r.counters.get('http.parse_error.bare_cr'), 1);
  t.ok(r.exchanges[0]?.flags.includes('parse_error'));
});

t.test('request: a byte 0x80 in a field is not a NUL (UTF-8 text is not nul_byte)', async (t) => {
  const head = Buffer.concat([Buffer.from('GET /a HTTP/1.1\r\nX-Name: '), Buffer.from('\u00c0', 'utf8'), Buffer.from('\r\n\r\n')]);
  const r = forEverySplit(t, [req(head), OK], {}, 30);
  t.equal(r.counters.get('http.parse_error.nul_byte'), 0);
  t.equal(r.exchanges.length, 1);
  t.notOk(r.exchanges[0]!.flags.includes('parse_error'), 'no parse_error');
  t.equal(r.exchanges[0]!.response?.status, 200);
});

t.test('request: a byte 0x80 in the target is not a NUL', async (t) => {
  const r = forEverySplit(t, [req(Buffer.from('GET /\u00c0 HTTP/1.1\r\nHost: h\r\n\r\n', 'utf8')), OK], {}, 30);
  t.equal(r.counters.get('http.parse_error.nul_byte'), 0);
  t.notOk(r.exchanges[0]!.flags.includes('parse_error'));
});

t.test('request: a head failed in onHead keeps the quirks seen before (LF-only, conflicting Content-Length)', async (t) => {
  const r = forEverySplit(t, [req('POST /a HTTP/1.1\nContent-Length: 5\nContent-Length: 6\n\nhello!'), OK], {}, 30);
  t.equal(r.counters.get('http.parse_error.conflicting_content_length'), 1);
  t.ok(r.exchanges[0]!.flags.includes('parse_error'));
  t.ok(r.exchanges[0]!.flags.includes('lenient'), 'lenient');
  t.equal(r.counters.get('http.lenient.lf_only'), 1);
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
