import t from 'tap';
import { C, S, forEverySplit, req, res, run, type Step } from './harness.js';
import { makePrng } from '../util/prng.js';

const GET = (p: string) => `GET ${p} HTTP/1.1\r\nHost: h\r\n\r\n`;
const OK = (body: string) => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

t.test('gap inside a Content-Length body: skipped, flagged gap, length counts delivered bytes', async (t) => {
  const steps: Step[] = [
    req(GET('/a') + GET('/b')),
    res('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'), { dir: S, gap: 4 }, res('hij' + OK('next')),
  ];
  const r = forEverySplit(t, steps);
  t.equal(r.exchanges.length, 2);
  t.match(r.exchanges[0], { response: { status: 200, body: { length: 6 } }, flags: ['gap'] });
  t.equal(r.exchanges[0].response!.body.bytes?.toString(), 'abchij');
  t.match(r.exchanges[1], { response: { body: { length: 4 } }, flags: [] });
  t.equal(r.counters.get('http.gap_in_body'), 1);
  // a gap that ends exactly at the end of a chunk keeps chunked parsing in step
  const chunked = run([req(GET('/c')), res('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab'), { dir: S, gap: 3 }, res('\r\n0\r\n\r\n')]);
  t.match(chunked.exchanges[0], { response: { body: { length: 2 } }, flags: ['gap'] });
});

t.test('gap in a header: exchange interrupted, parsing resynchronises on the next message', async (t) => {
  const steps: Step[] = [
    req(GET('/a') + GET('/b')),
    res('HTTP/1.1 200 OK\r\nContent-Le'), { dir: S, gap: 30 }, res('garbage tail\r\n' + OK('second')),
  ];
  const r = forEverySplit(t, steps);
  t.equal(r.exchanges.length, 2);
  t.match(r.exchanges[0], { request: { path: '/a' }, response: null });
  t.ok(r.exchanges[0].flags.includes('interrupted'));
  t.match(r.exchanges[1], { request: { path: '/b' }, response: { body: { length: 6 } }, flags: [] });
  t.ok(r.counters.get('http.bytes_discarded.resync') >= 'garbage tail\r\n'.length);
  // a gap longer than the rest of the body is not "inside" it
  const over = run([req(GET('/a')), res('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab'), { dir: S, gap: 10 }, res(OK('z'))]);
  t.ok(over.exchanges[0].flags.includes('interrupted'));
});

t.test('mid-stream: leading partial message is discarded, flagged mid_stream', async (t) => {
  const r = forEverySplit(t, [
    req('rest-of-a-body\r\n' + GET('/x')),
    res('lo world</html>\r\n' + OK('yes')),
  ], { conn: { midStream: true, rolesGuessed: true } }); // capture started mid-connection: roles are guessed
  t.equal(r.exchanges.length, 1);
  t.match(r.exchanges[0], { request: { path: '/x' }, response: { body: { length: 3 } }, flags: ['mid_stream'] });
  t.equal(r.counters.get('http.bytes_discarded.mid_stream'), 'rest-of-a-body\r\n'.length + 'lo world</html>\r\n'.length);
});

t.test('resumed after eviction (mid-stream, roles known): a request line inside a segment is body, not a request', async (t) => {
  const conn = { midStream: true, rolesGuessed: false };
  const inside = run([req('rest-of-a-body\r\n' + GET('/x')), res(OK('yes'))], { conn });
  t.equal(inside.exchanges.length, 0, 'no request invented from the tail of a body');
  const atStart = run([req('rest-of-a-body\r\n'), req(GET('/y')), res(OK('yes'))], { conn });
  t.equal(atStart.exchanges.length, 1, 'a request starting a segment is taken');
  t.match(atStart.exchanges[0], { request: { path: '/y' }, response: { status: 200 } });
});

t.test('roles guessed wrong: swapped by content', async (t) => {
  const r = forEverySplit(t, [
    { dir: S, data: Buffer.from(GET('/swapped')) },
    { dir: C, data: Buffer.from(OK('body')) },
  ], { conn: { rolesGuessed: true, midStream: true } });
  t.equal(r.exchanges.length, 1);
  t.match(r.exchanges[0], { rolesSwapped: true, request: { path: '/swapped' }, response: { status: 200 } });
  t.ok(r.exchanges[0].flags.includes('roles_swapped'));
  const fromResponse = run([{ dir: C, data: Buffer.from(OK('b')) }, { dir: S, data: Buffer.from(GET('/late')) }],
    { conn: { rolesGuessed: true } });
  t.equal(fromResponse.exchanges[0]?.rolesSwapped, true);
  const kept = run([req(GET('/n')), res(OK('b'))], { conn: { rolesGuessed: true } });
  t.equal(kept.exchanges[0].rolesSwapped, false);
});

const SMUGGLE = 'GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n';
const malformed: Array<[string, string, string]> = [
  ['bad chunk size', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'bad_chunk_size'],
  ['chunk size 2^64', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n', 'bad_chunk_size'],
  ['negative chunk size', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n', 'bad_chunk_size'],
  ['negative Content-Length', 'POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n', 'bad_content_length'],
  ['overflowing Content-Length', 'POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n', 'bad_content_length'],
  ['TE and CL', 'POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n', 'te_and_content_length'],
  ['TE not ending in chunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n', 'bad_transfer_encoding'],
  ['obs-fold in Transfer-Encoding', 'POST / HTTP/1.1\r\nTransfer-Encoding:\r\n chunked\r\n\r\n', 'obs_fold_framing'],
  ['NUL in a header', 'POST / HTTP/1.1\r\nX-A: a\0b\r\n\r\n', 'nul_byte'],
  ['conflicting Content-Length', 'POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 'conflicting_content_length'],
  // forms a response may use (docs/http.md, "Leniency") but a request may not
  ['junk after a chunk size', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 junk\r\n', 'bad_chunk_size'],
  ['blank before a chunk size', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\n', 'bad_chunk_size'],
  ['Content-Length: +5', 'POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n', 'bad_content_length'],
  ['CR without LF in a field', 'POST / HTTP/1.1\r\nX-A: a\rb\r\n\r\n', 'bare_cr'],
  ['obs-fold in Content-Length', 'POST / HTTP/1.1\r\nContent-Length:\r\n 5\r\n\r\n', 'obs_fold_framing'],
];

for (const [name, head, reason] of malformed) {
  t.test(`malformed request (${name}): parse_error, counted, resync finds the next request`, async (t) => {
    const r = forEverySplit(t, [req(head + SMUGGLE), res(OK('r1') + OK('r2'))]);
    t.equal(r.counters.get(`http.parse_error.${reason}`), 1, `counted as ${reason}`);
    t.equal(r.exchanges.length, 2);
    t.match(r.exchanges[0], { request: { method: 'POST', path: '/' }, response: { status: 200 } });
    t.ok(r.exchanges[0].flags.includes('parse_error'));
    t.match(r.exchanges[1], { request: { path: '/smuggled' }, flags: [] });
  });
}

t.test('obs-fold in an ordinary header: flagged, message still parsed', async (t) => {
  const r = run([req('GET / HTTP/1.1\r\nX-Long: a\r\n  b\r\nContent-Length: 2\r\n\r\nokGET /2 HTTP/1.1\r\n\r\n'), res(OK('a') + OK('b'))]);
  t.strictSame(r.exchanges[0].request.headers[0], ['X-Long', 'a b']);
  t.equal(r.exchanges[0].request.body.length, 2);
  t.ok(r.exchanges[0].flags.includes('parse_error'));
  t.equal(r.exchanges[1].request.path, '/2');
});

t.test('endless header section is a parse error at maxHeaderBytes', async (t) => {
  const endless = 'GET / HTTP/1.1\r\n' + 'X-Pad: 0123456789abcdef\r\n'.repeat(200);
  const r = forEverySplit(t, [req(endless)], { options: { maxHeaderBytes: 1024 } }, 20, false);
  t.equal(r.counters.get('http.parse_error.header_too_large'), 1);
  t.equal(r.exchanges.length, 1);
  t.ok(r.exchanges[0].flags.includes('parse_error'));
  t.ok(r.exchanges[0].request.headers.length < 200);
  const oneLine = run([req('GET / HTTP/1.1\r\nX: ' + 'a'.repeat(5000))], { options: { maxHeaderBytes: 1024 } });
  t.equal(oneLine.counters.get('http.parse_error.header_too_large'), 1);
});

t.test('garbage response line: counted, not paired; the next response pairs', async (t) => {
  const r = forEverySplit(t, [req(GET('/a')), res('HTTP/1.1 abc\r\n\r\n' + OK('good'))]);
  t.equal(r.counters.get('http.parse_error.bad_status_line'), 1);
  t.match(r.exchanges[0], { request: { path: '/a' }, response: { body: { length: 4 } } });
});

t.test('stream ends mid-body: interrupted, what arrived is reported', async (t) => {
  const r = run([req(GET('/a')), res('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')]);
  t.match(r.exchanges[0], { response: { body: { length: 3 } } });
  t.ok(r.exchanges[0].flags.includes('interrupted'));
});

t.test('random fragments of HTTP: never throws, never invents an exchange, releases every body byte', async (t) => {
  const rnd = makePrng(7);
  const alphabet = ['GET / HTTP/1.1\r\n', 'HTTP/1.1 200 OK\r\n', 'Content-Length: 3\r\n', 'Transfer-Encoding: chunked\r\n', '\r\n', '5\r\n', 'abc', '\0', ' ', 'HEAD ', 'HTTP/1.1 101 S\r\n'];
  const count = (text: string, what: string) => text.split(what).length - 1;
  const oneSpace = (text: string) => text.replace(/ +/g, ' '); // the request line's separators may repeat
  let emitted = 0;
  for (let i = 0; i < 300; i++) {
    const steps: Step[] = [];
    let sent = '';
    const byDir = ['', ''];
    for (let j = 0; j < 8; j++) {
      let s = '';
      for (let k = 0; k < 6; k++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      const dir = rnd() < 0.5 ? C : S;
      if (rnd() < 0.1) steps.push({ dir, gap: 1 + Math.floor(rnd() * 20) });
      else {
        steps.push({ dir, data: Buffer.from(s) });
        sent += s;
        byDir[dir === C ? 0 : 1] += s;
      }
    }
    const r = run(steps, { conn: { midStream: rnd() < 0.3, rolesGuessed: rnd() < 0.3 } });
    emitted += r.exchanges.length;
    // Roles may be guessed and swapped, so either direction counts as sent (its bytes in order, across
    // segments). Every exchange starts at a request line that was sent (HTTP/1.x, or HTTP/0.9's `METHOD target`): never more exchanges than
    // method tokens, and every method, target and status is one that was sent (0: an HTTP/0.9 response).
    const methods = count(sent, 'GET ') + count(sent, 'HEAD ');
    if (r.exchanges.length > methods) t.fail(`stream ${i}: ${r.exchanges.length} exchanges from ${methods} request lines`);
    for (const ex of r.exchanges) {
      const line = `${ex.request.method} ${ex.request.target}`;
      if (!oneSpace(byDir[0]!).includes(line) && !oneSpace(byDir[1]!).includes(line)) t.fail(`stream ${i}: request ${JSON.stringify(line)} was never sent`);
      const status = ex.response?.status;
      if (status !== undefined && status !== 200 && status !== 101 && !(status === 0 && (ex.request.version === '0.9' || ex.response?.version === '0.9'))) {
        t.fail(`stream ${i}: status ${status} was never sent`);
      }
      const held = (ex.request.body.bytes?.length ?? 0) + (ex.response?.body.bytes?.length ?? 0);
      if (held > sent.length) t.fail(`stream ${i}: more body bytes than the stream held`);
    }
    if (r.factory.bodyBytesHeld !== 0) t.fail(`stream ${i}: ${r.factory.bodyBytesHeld} body bytes still held after the end`);
  }
  t.ok(emitted > 0, `some streams form exchanges (${emitted})`);
});
