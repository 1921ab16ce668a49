/**
 * The parser allocates nothing per body piece beyond the view it hands to onBody: a large Content-Length body
 * and a chunked body (chunk-size lines whole in the data) fed in many calls, under V8's sampling heap profiler
 * (test/util/heap-profile.ts). The view's cost is measured by a control loop that makes one view per
 * iteration (the optimiser inlines subarray, so it cannot be told apart by name): the parser may allocate at
 * most that plus 8 bytes per piece on average, where any other object per piece is 16 bytes or more.
 */
import t from 'tap';
import { Session } from 'node:inspector';
import { MessageParser, HEAD_BODY, type HeadAction, type ParserOwner } from '../../src/http/parser/message-parser.js';
import { bytesAllocatedIn } from '../util/heap-profile.js';

class Owner implements ParserOwner {
  bytes = 0;
  constructor(private readonly chunked: boolean) {}
  onHead(p: MessageParser): HeadAction {
    p.setFraming(this.chunked, this.chunked ? 0 : 1e15);
    return HEAD_BODY;
  }
  onBody(_p: MessageParser, chunk: Buffer): void {
    this.bytes += chunk.length;
  }
  onTrailers(): void {}
  onMessageEnd(): void {}
}

const PIECE = 1448;
const sizedHead = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1000000000000000\r\n\r\n', 'latin1');
const chunkedHead = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'latin1');
const sizedPiece = Buffer.alloc(PIECE, 0x61);
// one chunk per call: its size line, its data and its CRLF
const chunkPiece = Buffer.concat([Buffer.from(`${(PIECE - 9).toString(16)}\r\n`), Buffer.alloc(PIECE - 9, 0x62), Buffer.from('\r\n')]);

t.test('body pieces: no allocation but the view handed to onBody', async (t) => {
  const sized = new Owner(false);
  const ps = new MessageParser(1, sized);
  ps.execute(sizedHead, 0, sizedHead.length);
  const chunked = new Owner(true);
  const pc = new MessageParser(1, chunked);
  pc.execute(chunkedHead, 0, chunkedHead.length);
  function feedSized(count: number): void {
    for (let i = 0; i < count; i++) ps.execute(sizedPiece, 0, PIECE);
  }
  function feedChunked(count: number): void {
    for (let i = 0; i < count; i++) pc.execute(chunkPiece, 0, chunkPiece.length);
  }
  let kept: Buffer | null = null;
  function viewMany(count: number): void {
    for (let i = 0; i < count; i++) kept = sizedPiece.subarray(0, PIECE - (i & 7));
  }
  feedSized(50_000);
  feedChunked(50_000);
  viewMany(50_000);

  const session = new Session();
  session.connect();
  t.teardown(() => session.disconnect());
  const count = 500_000;
  const view = bytesAllocatedIn(session, 'viewMany', () => viewMany(count));
  const sizedBytes = bytesAllocatedIn(session, 'feedSized', () => feedSized(count));
  const chunkedBytes = bytesAllocatedIn(session, 'feedChunked', () => feedChunked(count));
  t.ok(kept, 'the control loop ran');
  t.ok(view >= 16 * count, `the profiler sees one view per iteration (${view} bytes over ${count})`);
  t.equal(sized.bytes, (50_000 + count) * PIECE, 'every sized piece delivered');
  t.equal(chunked.bytes, (50_000 + count) * (PIECE - 9), 'every chunk delivered');
  t.ok(sizedBytes < view + 8 * count, `bytes allocated for ${count} sized pieces: ${sizedBytes} (views alone: ${view})`);
  t.ok(chunkedBytes < view + 8 * count, `bytes allocated for ${count} chunks: ${chunkedBytes} (views alone: ${view})`);
});
