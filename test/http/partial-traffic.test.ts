// Traffic seen only in part, at the stage's interface (docs/http.md "Behaviour": mid-stream, one direction,
// tunnels), and the replay ordering of the sides (bytes held while a CONNECT waits, then released).
// The whole program on captures: test/e2e/partial-traffic.test.ts.
import t from 'tap';
import { forEverySplit, req, res, run } from './harness.js';

const GET = (p: string) => `GET ${p} HTTP/1.1\r\nHost: api.test\r\n\r\n`;
const OK = (body: string) => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
const CONNECT = 'CONNECT api.test:80 HTTP/1.1\r\nHost: api.test:80\r\n\r\n';
const ESTABLISHED = 'HTTP/1.1 200 Connection established\r\n\r\n';
const pairs = (r: ReturnType<typeof run>) => r.exchanges.map((e) => [e.request.method, e.request.path, e.response?.status ?? null, [...e.flags].sort()]);

t.test('a CONNECT tunnel carrying cleartext HTTP is parsed: fresh sides, exchanges flagged tunneled', async (t) => {
  const r = forEverySplit(t, [req(CONNECT), res(ESTABLISHED), req(GET('/in') + GET('/in2')), res(OK('a') + OK('bb'))]);
  t.strictSame(pairs(r), [
    ['CONNECT', 'api.test:80', 200, ['upgraded']],
    ['GET', '/in', 200, ['tunneled']],
    ['GET', '/in2', 200, ['tunneled']],
  ]);
  t.equal(r.exchanges[2].response?.body.bytes?.toString(), 'bb');
  t.equal(r.counters.get('http.upgraded'), 1);
  t.equal(r.counters.get('http.bytes_after_upgrade'), 0);
});

t.test('a request sent before the tunnel is established is the tunnel\'s first request', async (t) => {
  const r = forEverySplit(t, [req(CONNECT + GET('/early')), res(ESTABLISHED + OK('x'))]);
  t.strictSame(pairs(r), [['CONNECT', 'api.test:80', 200, ['upgraded']], ['GET', '/early', 200, ['tunneled']]]);
});

t.test('a tunnel that is not HTTP (TLS) is ignored and counted', async (t) => {
  const hello = '\x16\x03\x01\x00\x05hello';
  const serverHello = '\x16\x03\x03\x00\x02hi';
  const r = forEverySplit(t, [req(CONNECT), res(ESTABLISHED), req(hello), res(serverHello)]);
  t.strictSame(pairs(r), [['CONNECT', 'api.test:80', 200, ['upgraded']]]);
  t.equal(r.counters.get('http.bytes_after_upgrade'), hello.length + serverHello.length);
});

t.test('101 to a protocol that is not HTTP stays ignored even when its bytes look like HTTP', async (t) => {
  const r = forEverySplit(t, [
    req('GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'),
    res('HTTP/1.1 101 Switching Protocols\r\n\r\n'), req(GET('/not-parsed')), res(OK('no')),
  ]);
  t.strictSame(pairs(r), [['GET', '/ws', 101, ['upgraded']]]);
});

t.test('requests held while a CONNECT waits are run before the responses after its refusal', async (t) => {
  // The 407 resumes the request side; the two responses in the same chunk must find the held requests.
  const r = forEverySplit(t, [
    req(CONNECT + GET('/a') + GET('/b')),
    res('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 3\r\n\r\nno!' + OK('A') + OK('B')),
  ]);
  t.strictSame(pairs(r), [['CONNECT', 'api.test:80', 407, []], ['GET', '/a', 200, []], ['GET', '/b', 200, []]]);
  t.strictSame(r.exchanges.map((e) => e.response?.body.bytes?.toString()), ['no!', 'A', 'B']);
});

t.test('one direction only: requests are reported without response, flagged one_sided', async (t) => {
  const r = forEverySplit(t, [req(GET('/1') + 'POST /2 HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi'), req(GET('/3'))]);
  t.strictSame(pairs(r), [
    ['GET', '/1', null, ['no_response', 'one_sided']],
    ['POST', '/2', null, ['no_response', 'one_sided']],
    ['GET', '/3', null, ['no_response', 'one_sided']],
  ]);
  const answeredOnce = run([req(GET('/1') + GET('/2')), res(OK('1'))]);
  t.strictSame(pairs(answeredOnce), [['GET', '/1', 200, []], ['GET', '/2', null, ['no_response']]], 'a server that answered is not one-sided');
  const responsesOnly = run([res(OK('1') + OK('2'))]);
  t.equal(responsesOnly.exchanges.length, 0);
  t.equal(responsesOnly.counters.get('http.response_without_request'), 2, 'responses alone are counted');
});

t.test('one direction only: requests given up by maxPendingRequests are one_sided too', async (t) => {
  const many = Array.from({ length: 105 }, (_, i) => GET(`/${i}`)).join('');
  const open = run([req(many)], { noClose: true });
  t.equal(open.counters.get('http.pending_overflow'), 5);
  t.equal(open.exchanges.length, 5, 'the given-up requests are emitted before the close');
  for (const ex of open.exchanges) t.strictSame([...ex.flags].sort(), ['no_response', 'one_sided'], ex.request.path);
  const answered = run([res(OK('x')), req(many)], { noClose: true });
  t.ok(answered.exchanges.length > 0);
  t.notOk(answered.exchanges.some((ex) => ex.flags.includes('one_sided')), 'a server that sent bytes is not one-sided');
});

t.test('mid-stream: a message starting a data chunk right after a body without line end is found', async (t) => {
  const conn = { midStream: true, rolesGuessed: true };
  const r = run([
    req('{"tail":"of a request body"}'), req(GET('/after-body')),
    res('{"tail":"of a response body"}'), res(OK('ok')),
  ], { conn });
  t.strictSame(pairs(r), [['GET', '/after-body', 200, ['mid_stream']]]);
  // Inside one chunk only a line start is a candidate: a status line glued to a body is not taken.
  const glued = run([req(GET('/x')), res('{"a":1}HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')], { conn });
  t.strictSame(pairs(glued), [['GET', '/x', null, ['mid_stream', 'no_response']]]);
});
