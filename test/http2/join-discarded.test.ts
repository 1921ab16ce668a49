// A connection seen mid-stream, given to HTTP/1, then recognised as HTTP/2 at a later frame start
// (docs/http2.md, "Detection"): every byte before the join is counted as discarded
// (`http.bytes_discarded.mid_stream` by the HTTP/1 stage, `http2.bytes_discarded.mid_stream` by HTTP/2),
// including the bytes the HTTP/1 stage still held when it was dropped (a short first piece that might have
// begun a request). Driven in process (test/http2/h2-factory.ts).
import t from 'tap';
import { DATA, END_STREAM, frame, headers } from './h2-capture.js';
import { H2Pipeline } from './h2-factory.js';

t.test('bytes before a mid-stream join are all counted as discarded', async (t) => {
  const p = new H2Pipeline({}, { midStream: true, rolesGuessed: true });
  const before = [Buffer.from('PO'), Buffer.alloc(100, 0x00)]; // the tail of a client frame, then of a server frame
  p.send(0, before[0]!);
  p.send(1, before[1]!);
  p.send(0, headers(3, [[':method', 'GET'], [':scheme', 'http'], [':path', '/after'], [':authority', 'svc']], true));
  p.send(1, Buffer.concat([headers(3, [[':status', '200']]), frame(DATA, END_STREAM, 3, Buffer.from('ok'))]));
  p.close();
  t.equal(p.count('http2.mid_stream_join'), 1, 'joined as HTTP/2');
  t.same(p.exchanges.map((e) => [e.streamId, e.request.target, e.response?.status]), [[3, '/after', 200]], 'the stream after the join');
  const discarded = p.count('http.bytes_discarded.mid_stream') + p.count('http2.bytes_discarded.mid_stream');
  t.equal(discarded, before[0]!.length + before[1]!.length, 'every byte before the join counted');
});
