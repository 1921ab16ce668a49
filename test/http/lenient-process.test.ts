/**
 * apidump (the process) on a capture written here with a handful of quirky responses, one connection each:
 * the bodies clients read are in the output, and the exchanges carry `lenient` (or the decode flags) and the
 * counters `http.lenient.<quirk>` in the final stats. docs/http.md, "Leniency".
 */
import t from 'tap';
import zlib from 'node:zlib';
import { PcapWriter } from '../util/pcap-writer.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from '../util/packet-builder.js';
import { runSensor, STACK_LINE } from '../util/sensor-run.js';
import { tempPath } from '../util/temp-path.js';

const CLIENT = 0x0a000001;
const SERVER = 0x0a000002;
const gz = zlib.gzipSync(Buffer.from('{"ok":true}'));

const CASES: Array<{ path: string; response: Buffer; body: string; flags: string[] }> = [
  { path: '/junk-size', response: Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 junk\r\nhello\r\n0\r\n\r\n'), body: 'hello', flags: ['lenient'] },
  { path: '/blank-first', response: Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n 5\r\nhello\r\n0\r\n\r\n'), body: 'hello', flags: ['lenient'] },
  { path: '/te-and-cl', response: Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'), body: 'hello', flags: ['lenient'] },
  { path: '/nul', response: Buffer.from('HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\nContent-Length: 5\r\n\r\nhello'), body: 'hello', flags: ['lenient'] },
  { path: '/no-status', response: Buffer.from('hello, 0.9\n'), body: 'hello, 0.9\n', flags: ['lenient'] },
  { path: '/not-gzip', response: Buffer.from('HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello'), body: 'hello', flags: ['decode_error'] },
  { path: '/te-gzip', response: Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n'), gz]), body: '{"ok":true}', flags: ['lenient'] },
  { path: '/plain', response: Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'), body: 'hello', flags: [] },
];

/** One connection per case: handshake, request, response, FIN both ways. */
function writeCapture(path: string): void {
  const w = new PcapWriter(path, 1_790_000_000);
  let ts = 0;
  CASES.forEach((c, i) => {
    const port = 40000 + i;
    const req = Buffer.from(`GET ${c.path} HTTP/1.1\r\nHost: api.test\r\n\r\n`);
    const step = (): number => (ts += 1_000_000);
    let cs = 1000;
    let ss = 5000;
    w.tcp(step(), CLIENT, SERVER, port, 80, cs, 0, TCP_SYN, null);
    w.tcp(step(), SERVER, CLIENT, 80, port, ss, cs + 1, TCP_SYN | TCP_ACK, null);
    cs++;
    ss++;
    w.tcp(step(), CLIENT, SERVER, port, 80, cs, ss, TCP_ACK, null);
    w.tcp(step(), CLIENT, SERVER, port, 80, cs, ss, TCP_ACK | TCP_PSH, req);
    cs += req.length;
    w.tcp(step(), SERVER, CLIENT, 80, port, ss, cs, TCP_ACK | TCP_PSH, c.response);
    ss += c.response.length;
    w.tcp(step(), SERVER, CLIENT, 80, port, ss, cs, TCP_ACK | TCP_FIN, null);
    w.tcp(step(), CLIENT, SERVER, port, 80, cs, ss + 1, TCP_ACK | TCP_FIN, null);
    w.tcp(step(), SERVER, CLIENT, 80, port, ss + 1, cs + 1, TCP_ACK, null);
  });
  w.close();
}

t.test('apidump reports the bodies clients read, flagged, with http.lenient.* counters', async (t) => {
  const pcap = tempPath('quirky.pcap');
  writeCapture(pcap);
  const run = await runSensor(['apidump', '--pcap', pcap, '--rate-limit', '0', '--redaction', 'off', '--log-level', 'info'], { withOut: true, timeoutMs: 180_000 });
  t.equal(run.code, 0, 'exit 0');
  t.notMatch(run.stderr, STACK_LINE);
  t.equal(run.records.length, CASES.length, 'one exchange per connection');
  for (const c of CASES) {
    const x = run.records.find((r) => r.request?.path === c.path);
    t.ok(x, `${c.path}: reported`);
    if (!x) continue;
    t.equal(Buffer.from(x.response?.body?.base64 ?? '', 'base64').toString('latin1'), c.body, `${c.path}: body`);
    const flags: string[] = x.flags ?? [];
    for (const f of c.flags) t.ok(flags.includes(f), `${c.path}: flag ${f} in [${flags.join(', ')}]`);
    if (c.flags.length === 0) t.strictSame(flags, [], `${c.path}: no flag`);
  }
  const stats = [...run.stdout.split('\n'), ...run.stderr.split('\n')].filter((l) => l.includes('"final stats"')).map((l) => JSON.parse(l).stats)[0];
  t.ok(stats, 'final stats logged');
  for (const q of ['chunk_size_junk', 'chunk_empty_line', 'chunk_size_blank', 'te_with_cl', 'control_byte', 'http09_response', 'te_not_chunked']) {
    t.equal(stats?.[`http.lenient.${q}`], 1, `http.lenient.${q}`);
  }
});
