/**
 * Captures found by the robustness properties, kept under fixtures/found/ (written with
 * test/util/pcap-file.ts by `buildLostResponse` below; re-create with FOUND_REWRITE=1).
 *
 * lost-response-shifts-pairing.pcap: keep-alive connection, GET /one and GET /two; the whole first
 * response (200, 3 bytes) is lost from the capture, the second (404, 7 bytes) is captured. Seen by
 * stream-mutation.test.ts as an unflagged exchange "GET /one -> 404". Expected: GET /one without a
 * (correct) response or flagged; GET /two flagged or with its 404 — never GET /one -> 404 unflagged.
 */
import t from 'tap';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FOUND_DIR, InProcessPipeline, isFlagged, frame, SYN, ACK, FIN, PSH, type Endpoints } from './harness.js';
import { readPcapFile, writePcapFile, LINKTYPE_ETHERNET } from '../util/pcap-file.js';

const LOST_RESPONSE = join(FOUND_DIR, 'lost-response-shifts-pairing.pcap');

function buildLostResponse(): void {
  const ep: Endpoints = { clientIp: '10.3.0.2', serverIp: '10.3.0.1', clientPort: 43000, serverPort: 80 };
  const r1 = Buffer.from('GET /one HTTP/1.1\r\nHost: a\r\n\r\n');
  const r2 = Buffer.from('GET /two HTTP/1.1\r\nHost: a\r\n\r\n');
  const s1 = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none');
  const s2 = Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\nmissing');
  const c = 1000, s = 5000;
  const frames = [
    frame(ep, 0, c, 0, SYN), frame(ep, 1, s, c + 1, SYN | ACK), frame(ep, 0, c + 1, s + 1, ACK),
    frame(ep, 0, c + 1, s + 1, ACK | PSH, r1),
    // s1 is lost: the client's ACK below acknowledges it
    frame(ep, 0, c + 1 + r1.length, s + 1 + s1.length, ACK | PSH, r2),
    frame(ep, 1, s + 1 + s1.length, c + 1 + r1.length + r2.length, ACK | PSH, s2),
    frame(ep, 0, c + 1 + r1.length + r2.length, s + 1 + s1.length + s2.length, FIN | ACK),
    frame(ep, 1, s + 1 + s1.length + s2.length, c + 2 + r1.length + r2.length, FIN | ACK),
    frame(ep, 0, c + 2 + r1.length + r2.length, s + 2 + s1.length + s2.length, ACK),
  ];
  mkdirSync(FOUND_DIR, { recursive: true });
  writePcapFile(LOST_RESPONSE, { linkType: LINKTYPE_ETHERNET, nano: false, records: frames.map((data, i) => ({ tsSec: 1_700_000_000, tsFrac: i * 1000, origLen: data.length, data })) });
}

if (process.env.FOUND_REWRITE === '1' || !existsSync(LOST_RESPONSE)) buildLostResponse();

t.test('found: a response lost whole must not pair the next response with the wrong request', async (t) => {
  const pcap = readPcapFile(LOST_RESPONSE);
  const p = new InProcessPipeline();
  for (const r of pcap.records) p.feed(pcap.linkType, r.data, r.tsSec, r.tsFrac * 1000);
  p.finish();
  t.same(p.invariants(), [], 'invariants hold');
  t.equal(p.exchanges.length, 2, 'both requests reported');
  const wrong = p.exchanges.filter((e) => !isFlagged(e) && e.request.target === '/one' && e.response?.status === 404);
  t.equal(wrong.length, 0, 'GET /one is not reported unflagged with the 404 of GET /two');
});
