/**
 * MessageParser's own contract, beyond what it shares with http-parser-js (parser-side-by-side.test.ts):
 * the head byte count at onHead whatever the split, HEAD_STOP, error reasons with the resume offset,
 * skipBody in sized and chunked bodies.
 */
import t from 'tap';
import {
  MessageParser, HEAD_BODY, HEAD_STOP, type HeadAction, type HeadInfo, type ParserOwner,
} from '../../src/http/parser/message-parser.js';

class Owner implements ParserOwner {
  heads: Array<{ headBytes: number; headers: string[] }> = [];
  bodies: string[] = [];
  ends = 0;
  constructor(private readonly action: HeadAction, private readonly length: number | null = 0, private readonly chunked = false) {}
  onHead(p: MessageParser, info: HeadInfo): HeadAction {
    this.heads.push({ headBytes: p.headBytes, headers: [...info.headers] });
    p.setFraming(this.chunked, this.length);
    return this.action;
  }
  onBody(_p: MessageParser, chunk: Buffer): void {
    this.bodies.push(chunk.toString('latin1'));
  }
  onTrailers(): void {}
  onMessageEnd(): void {
    this.ends++;
  }
}

t.test('headBytes at onHead is the head as sent, whatever the split', async (t) => {
  const head = '\r\nGET /a HTTP/1.1\r\nHost: h\r\nX-Long: ' + 'v'.repeat(300) + '\r\n\r\n';
  const data = Buffer.from(head + head.slice(2), 'latin1');
  for (let cut = 1; cut < data.length; cut += 7) {
    const o = new Owner(HEAD_BODY);
    const p = new MessageParser(0, o);
    t.equal(p.execute(data.subarray(0, cut), 0, cut), cut);
    t.equal(p.execute(data, cut, data.length - cut), data.length - cut);
    t.same(o.heads.map((h) => h.headBytes), [head.length, head.length - 2], `split at ${cut}`);
    t.equal(o.ends, 2);
  }
});

t.test('HEAD_STOP ends the message and the call right after the head', async (t) => {
  const data = Buffer.from('GET / HTTP/1.1\r\n\r\nGET /next HTTP/1.1\r\n\r\n', 'latin1');
  const o = new Owner(HEAD_STOP);
  const p = new MessageParser(0, o);
  t.equal(p.execute(data, 0, data.length), 18);
  t.equal(o.ends, 1);
  t.ok(p.atMessageStart());
});

t.test('errors: -1, the reason, the offset just past the offending line', async (t) => {
  const cases: Array<[0 | 1, string, string, number, boolean]> = [
    [0, 'T /x\r\nrest', 'bad_request_line', 6, false],
    [1, 'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 OK\r\n', 'bad_status_line', 40, false],
    [0, 'GET / HTTP/1.1\r\nA: b\rc\r\n\r\n', 'bare_cr', 24, false],
    [1, 'HTTP/1.1 200 OK\r\n\r\nx5\r\nhello\r\n', 'bad_chunk_size', 23, true],
    [0, 'POST / HTTP/1.1\r\n\r\n5x\r\nhello\r\n', 'bad_chunk_size', 23, true],
    [1, 'HTTP/1.1 200 OK\r\n\r\n1\r\nab\r\n', 'bad_chunk_end', 26, true],
  ];
  for (const [role, text, reason, offset, chunked] of cases) {
    const p = new MessageParser(role, new Owner(HEAD_BODY, 0, chunked));
    const data = Buffer.from(text, 'latin1');
    t.equal(p.execute(data, 0, data.length), -1, reason);
    t.equal(p.error, reason);
    t.equal(p.offset, offset, `${reason} offset`);
  }
});

t.test('skipBody: a gap inside a sized body or a chunk moves on without onBody', async (t) => {
  const o = new Owner(HEAD_BODY, 10);
  const p = new MessageParser(1, o);
  const head = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', 'latin1');
  p.execute(head, 0, head.length);
  t.equal(p.bodyRemaining(), 7);
  p.skipBody(7);
  t.equal(o.ends, 1);
  t.same(o.bodies, ['abc']);

  const c = new Owner(HEAD_BODY, 0, true);
  const q = new MessageParser(1, c);
  const first = Buffer.from('HTTP/1.1 200 OK\r\n\r\n5\r\nhe', 'latin1');
  q.execute(first, 0, first.length);
  t.equal(q.bodyRemaining(), 3);
  q.skipBody(3);
  const rest = Buffer.from('\r\n0\r\n\r\n', 'latin1');
  t.equal(q.execute(rest, 0, rest.length), rest.length);
  t.equal(c.ends, 1);
  t.same(c.bodies, ['he']);
});
