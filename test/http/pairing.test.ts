import t from 'tap';
import { forEverySplit, req, res, run } from './harness.js';

const GET = (p: string) => `GET ${p} HTTP/1.1\r\nHost: api.test:8080\r\n\r\n`;
const OK = (body: string) => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

t.test('keep-alive sequence: request, response, request, response', async (t) => {
  const r = forEverySplit(t, [req(GET('/one?x=1')), res(OK('first')), req(GET('/two')), res(OK('second!'))]);
  t.equal(r.exchanges.length, 2);
  const [a, b] = r.exchanges;
  t.match(a.request, { method: 'GET', target: '/one?x=1', path: '/one', host: 'api.test:8080', version: '1.1' });
  t.strictSame(a.request.headers, [['Host', 'api.test:8080']]);
  t.equal(a.response?.body.bytes?.toString(), 'first');
  t.equal(b.response?.body.length, 7);
  t.strictSame([a.depth, b.depth], [1, 2]);
  t.strictSame([a.startSec, a.endSec, b.startSec, b.endSec], [1000, 1001, 1002, 1003]);
  t.strictSame(a.flags, []);
});

t.test('pipelining: three requests then three responses pair in order', async (t) => {
  const r = forEverySplit(t, [
    req(GET('/a') + GET('/b') + 'POST /c HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody'),
    res(OK('A') + 'HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nBB' + 'HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nCCC'),
  ]);
  t.strictSame(r.exchanges.map((e) => [e.request.path, e.response?.status, e.response?.body.bytes?.toString()]),
    [['/a', 200, 'A'], ['/b', 404, 'BB'], ['/c', 201, 'CCC']]);
  t.equal(r.exchanges[2].request.body.bytes?.toString(), 'body');
});

t.test('HEAD response with Content-Length has no body; the next response still parses', async (t) => {
  const r = forEverySplit(t, [
    req('HEAD /big HTTP/1.1\r\nHost: h\r\n\r\n' + GET('/next')),
    res('HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n' + OK('tail')),
  ]);
  t.equal(r.exchanges.length, 2);
  t.match(r.exchanges[0].response, { status: 200, body: { length: 0, bytes: null } });
  t.equal(r.exchanges[1].response?.body.bytes?.toString(), 'tail');
});

t.test('100 Continue and 103 Early Hints do not consume the request', async (t) => {
  const r = forEverySplit(t, [
    req('POST /up HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 6\r\n\r\n'),
    res('HTTP/1.1 100 Continue\r\n\r\n'),
    req('abcdef'),
    res('HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
    req(GET('/after')),
    res(OK('x')),
  ]);
  t.equal(r.exchanges.length, 2);
  t.match(r.exchanges[0], { request: { body: { length: 6 } }, response: { status: 200, informational: [100, 103] } });
  t.match(r.exchanges[1], { request: { path: '/after' }, response: { status: 200, informational: [] } });
});

t.test('101 Switching Protocols ends HTTP parsing; later bytes are ignored and counted', async (t) => {
  const steps = [
    req('GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'),
    res('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello'),
    req('\x81\x85abcdGET /not-http HTTP/1.1\r\n\r\n'),
  ];
  const r = forEverySplit(t, steps);
  t.equal(r.exchanges.length, 1);
  t.match(r.exchanges[0], { response: { status: 101 }, flags: ['upgraded'] });
  t.equal(r.counters.get('http.bytes_after_upgrade'), 7 + steps[2].data.length);
});

t.test('CONNECT answered 200 becomes a tunnel; CONNECT answered 407 keeps HTTP', async (t) => {
  const tunnel = forEverySplit(t, [
    req('CONNECT db.internal:443 HTTP/1.1\r\nHost: db.internal:443\r\n\r\n'),
    res('HTTP/1.1 200 Connection established\r\n\r\n'),
    req('\x16\x03\x01 tls bytes GET / HTTP/1.1\r\n\r\n'),
    res('\x16\x03\x03 more'),
  ]);
  t.equal(tunnel.exchanges.length, 1);
  t.match(tunnel.exchanges[0], { request: { method: 'CONNECT', path: 'db.internal:443' }, response: { status: 200 }, flags: ['upgraded'] });

  const refused = forEverySplit(t, [
    req('CONNECT db.internal:443 HTTP/1.1\r\n\r\n' + GET('/plain')), // client talks before the answer
    res('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n' + OK('p')),
  ]);
  t.strictSame(refused.exchanges.map((e) => [e.request.method, e.response?.status]), [['CONNECT', 407], ['GET', 200]]);
});

t.test('204 and 304 have no body even with framing headers', async (t) => {
  const r = forEverySplit(t, [
    req(GET('/a') + GET('/b') + GET('/c')),
    res('HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n' + 'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n' + OK('c')),
  ]);
  t.strictSame(r.exchanges.map((e) => [e.response?.status, e.response?.body.length]), [[204, 0], [304, 0], [200, 1]]);
});

t.test('chunked body with extensions and trailers', async (t) => {
  const r = forEverySplit(t, [
    req('POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n000A\r\n0123456789\r\n0\r\nX-Sum: 13\r\n\r\n'),
    res('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n'),
  ]);
  const ex = r.exchanges[0];
  t.equal(ex.request.body.bytes?.toString(), 'abc0123456789');
  t.equal(ex.request.body.length, 13);
  t.strictSame(ex.request.headers.at(-1), ['X-Sum', '13']);
  t.equal(ex.response?.body.length, 1);
  t.strictSame(ex.flags, []);
});

t.test('close-delimited response body ends at close; HTTP/1.0', async (t) => {
  const r = forEverySplit(t, [
    req('GET /old HTTP/1.0\r\n\r\n'),
    res('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this\r\nuntil close'),
  ]);
  t.equal(r.exchanges.length, 1);
  t.match(r.exchanges[0], { request: { version: '1.0', host: null }, response: { version: '1.0', body: { length: 24 } }, flags: [] });
});

t.test('HTTP/0.9 simple request: the response is raw bytes until close', async (t) => {
  const r = forEverySplit(t, [req('GET /zeek.html\r\n'), res('<html>raw</html>\n')]);
  t.equal(r.exchanges.length, 1);
  t.match(r.exchanges[0], { request: { method: 'GET', path: '/zeek.html', version: '0.9', headers: [] }, response: { status: 0, version: '0.9', body: { length: 17 } } });
});

t.test('requests without a response are emitted at close with no_response, in request order', async (t) => {
  const r = forEverySplit(t, [req(GET('/1') + GET('/2')), res(OK('one'))]);
  t.strictSame(r.exchanges.map((e) => [e.request.path, e.response?.status ?? null, e.flags]), [['/1', 200, []], ['/2', null, ['no_response']]]);
  t.strictSame([r.exchanges[1].endSec, r.exchanges[1].endNsec], [1000, 0], 'end time = end of the request');
});

t.test('a response without a request is counted, not emitted', async (t) => {
  const r = forEverySplit(t, [res(OK('orphan')), req(GET('/x')), res(OK('mine'))]);
  t.equal(r.counters.get('http.response_without_request'), 1);
  t.equal(r.exchanges.length, 1);
  t.equal(r.exchanges[0].response?.body.bytes?.toString(), 'mine');
});

t.test('maxPendingRequests: the oldest unanswered request is emitted without response', async (t) => {
  const r = run([req(GET('/1') + GET('/2') + GET('/3')), res(OK('a'))], { options: { maxPendingRequests: 2 } });
  t.equal(r.counters.get('http.pending_overflow'), 1);
  t.strictSame(r.exchanges.map((e) => [e.request.path, e.response?.status ?? null]), [['/1', null], ['/2', 200], ['/3', null]]);
  t.ok(r.exchanges[0].flags.includes('no_response'));
});

t.test('absolute-form target: path without scheme, host and query', async (t) => {
  const r = run([req('GET http://proxy.example/p/q?z=1#f HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n'), res(OK(''))]);
  t.match(r.exchanges[0].request, { target: 'http://proxy.example/p/q?z=1#f', path: '/p/q', host: 'a' });
  const r2 = run([req('OPTIONS * HTTP/1.1\r\n\r\nGET http://h HTTP/1.1\r\n\r\n')]);
  t.strictSame(r2.exchanges.map((e) => e.request.path), ['*', '/']);
});

t.test('odd request lines seen in the wild', async (t) => {
  const r = run([req('GET HTTP/1.1\r\nHost: h\r\n\r\nCONNECT mail.example:25 / HTTP/1.0\r\n\r\n'), res(OK('no uri') + 'HTTP/1.0 200 OK\r\n\r\n')]);
  t.match(r.exchanges[0].request, { method: 'GET', target: '', version: '1.1' });
  t.match(r.exchanges[1].request, { method: 'CONNECT', target: 'mail.example:25 /', version: '1.0' });
  t.ok(r.exchanges[1].flags.includes('upgraded'));
  const bad = run([req('T /zeek.html\r\n' + GET('/ok')), res(OK('fine'))]);
  t.equal(bad.counters.get('http.parse_error.bad_request_line'), 1, 'HTTP/0.9 needs a known method');
  t.equal(bad.exchanges[0].request.path, '/ok');
});

t.test('truncated request version (`HTTP/1.`): the request is kept, flagged parse_error', async (t) => {
  const r = run([req('CCM_POST / HTTP/1.\r\nHost: h\r\n\r\n'), res(OK('nope'))]);
  t.equal(r.exchanges.length, 1);
  t.match(r.exchanges[0], { request: { method: 'CCM_POST', target: '/', host: 'h', version: '1.0' }, response: { status: 200 } });
  t.ok(r.exchanges[0].flags.includes('parse_error'));
  t.equal(r.counters.get('http.parse_error.bad_version'), 1);
  const bare = run([req('GET / HTTP/\r\n\r\n'), res(OK('x'))]);
  t.match(bare.exchanges[0]?.request, { method: 'GET', version: '1.0' }, 'no digits at all');
  const junk = run([req('GET / HTTP/x.y\r\n\r\n' + GET('/ok')), res(OK('fine'))]);
  t.equal(junk.counters.get('http.parse_error.bad_request_line'), 1, 'a non-numeric version is still a bad line');
});

t.test('HTTP/0.9 request line followed by header lines in the same data: headers are parsed', async (t) => {
  const r = run([req('GET /HTTP/1.1\r\nHost: www.example\r\n\r\n'), res('<html>raw</html>\n')]);
  t.equal(r.exchanges.length, 1);
  t.match(r.exchanges[0], {
    request: { method: 'GET', target: '/HTTP/1.1', host: 'www.example', version: '0.9' },
    response: { status: 0, version: '0.9', body: { length: 17 } },
  });
  // an unknown method is accepted in this form only (a 1.x client that misplaced its version)
  const u = run([req('CCM_POST /HTTP/1.1\r\nHost: h\r\n\r\n'), res('raw reply')]);
  t.match(u.exchanges[0], { request: { method: 'CCM_POST', host: 'h', version: '0.9' }, response: { body: { length: 9 } } });
  // a real 0.9 client: the line alone, answered until close
  const alone = run([req('GET /a\r\n'), res('A')]);
  t.match(alone.exchanges[0], { request: { version: '0.9', host: null }, response: { body: { length: 1 } } });
});

t.test('an HTTP/0.9 request ends a response that came without a request', async (t) => {
  // the server talks first (a response with Content-Length: 4), then the client sends a 0.9 request:
  // the following server bytes are the 0.9 reply, not the rest of the orphan's body
  const r = run([res('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n'), req('GET /\r\n\r\n'), res('this is too much.\r\n')]);
  t.equal(r.counters.get('http.response_without_request'), 1);
  t.equal(r.counters.get('http.orphan_response_cut'), 1);
  t.equal(r.exchanges.length, 1);
  t.match(r.exchanges[0], { request: { method: 'GET', target: '/', version: '0.9' }, response: { status: 0, body: { length: 19 } } });
  // without the cut, a 1.x request after an orphan leaves the orphan's framing alone
  const keep = run([res('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n'), req(GET('/x')), res('abcd' + OK('yes'))]);
  t.equal(keep.counters.get('http.orphan_response_cut'), 0);
  t.match(keep.exchanges[0], { request: { path: '/x' }, response: { status: 200, body: { length: 3 } } });
});
