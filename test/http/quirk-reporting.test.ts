/**
 * When quirks are reported (docs/http.md, "Leniency"): the two bits that describe the close
 * (`close_before_end`, `chunk_no_final_crlf`) only for the close, a 1xx head's quirks and defects, an
 * RFC-valid long Content-Length, a bare CR in a response's obs-fold line.
 */
import t from 'tap';
import { forEverySplit, req, res, run, C, S } from './harness.js';

const GET = req('GET /x HTTP/1.1\r\nHost: h\r\n\r\n');
const TE = 'Transfer-Encoding: chunked\r\n';

const NOT_THE_CLOSE: Array<[string, Parameters<typeof run>[0], Parameters<typeof run>[1]]> = [
  ['a gap longer than the rest of a sized body', [GET, res('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhel'), { dir: S, gap: 50 }], {}],
  ['a gap at a chunk-size line', [GET, res(`HTTP/1.1 200 OK\r\n${TE}\r\n5\r\nhello\r\n`), { dir: S, gap: 50 }], {}],
  ['a gap in the trailers', [GET, res(`HTTP/1.1 200 OK\r\n${TE}\r\n5\r\nhello\r\n0\r\n`), { dir: S, gap: 50 }], {}],
  ['an over-long chunk-size line', [GET, res(`HTTP/1.1 200 OK\r\n${TE}\r\n5\r\nhello\r\n${'0'.repeat(300)}`)], { options: { maxHeaderBytes: 200 } }],
  ['a request body cut by a gap', [req('POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\nhel'), { dir: C, gap: 50 }], {}],
];

for (const [what, steps, o] of NOT_THE_CLOSE) {
  t.test(`${what}: not close_before_end / chunk_no_final_crlf`, async (t) => {
    const r = run(steps, o);
    t.equal(r.exchanges.length, 1);
    t.notOk(r.exchanges[0]!.flags.includes('lenient'), `flags ${r.exchanges[0]!.flags.join(',')}`);
    t.equal(r.counters.get('http.lenient.close_before_end'), 0);
    t.equal(r.counters.get('http.lenient.chunk_no_final_crlf'), 0);
  });
}

t.test('the close inside a sized body is still close_before_end', async (t) => {
  const r = run([GET, res('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhel')]);
  t.ok(r.exchanges[0]!.flags.includes('lenient'));
  t.equal(r.counters.get('http.lenient.close_before_end'), 1);
});

t.test('an LF-only 100 Continue is reported lenient (lf_only)', async (t) => {
  const r = forEverySplit(t, [GET, res('HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')], {}, 30);
  const ex = r.exchanges[0]!;
  t.strictSame(ex.response?.informational, [100]);
  t.equal(ex.response?.body.bytes?.toString(), 'ok');
  t.strictSame(ex.flags, ['lenient']);
  t.equal(r.counters.get('http.lenient.lf_only'), 1);
});

t.test('an over-long 1xx head is header_too_large', async (t) => {
  const long = `HTTP/1.1 100 Continue\r\nX-Pad: ${'a'.repeat(300)}\r\n\r\n`;
  const r = run([GET, res(`${long}HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok`)], { options: { maxHeaderBytes: 200 } });
  t.equal(r.counters.get('http.parse_error.header_too_large'), 1);
  t.ok(r.exchanges[0]!.flags.includes('parse_error'));
});

t.test('a single Content-Length of 16 digits with leading zeros is not cl_repeated', async (t) => {
  const r = forEverySplit(t, [GET, res('HTTP/1.1 200 OK\r\nContent-Length: 0000000000000002\r\n\r\nok')], {}, 30);
  t.equal(r.exchanges[0]!.response?.body.bytes?.toString(), 'ok');
  t.strictSame(r.exchanges[0]!.flags, []);
  t.equal(r.counters.get('http.lenient.cl_repeated'), 0);
});

t.test('a response fold line with a bare CR keeps the bytes after it and is flagged bare_cr', async (t) => {
  const r = forEverySplit(t, [GET, res('HTTP/1.1 200 OK\r\nX-A: a\r\n b\rc\r\nContent-Length: 2\r\n\r\nok')], {}, 30);
  const h = r.exchanges[0]!.response!.headers.find(([n]) => n === 'X-A');
  t.equal(h?.[1], 'a b\rc');
  t.equal(r.counters.get('http.lenient.bare_cr'), 1);
  t.equal(r.counters.get('http.lenient.obs_fold'), 1);
});
