// Conformance: the corpus's traces without a Zeek baseline (more-traces/: other link layers, pcapng,
// gaps, mid-stream starts, upgrades), the sensor's request count against tshark's on the same file. Kept
// apart from zeek-corpus.test.ts so that each file stays well inside the runner's per-file time limit.
import t from 'tap';
import { readdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { runSensor } from '../util/sensor-run.js';
import { CORPUS } from '../capture/fixtures/corpus.js';

const execFileP = promisify(execFile);

// The oracle is tshark's count of HTTP requests per file (one line per request it dissects), with
// out-of-order reassembly on (reference.md §3) and `-d tcp.port==P,http` where the server port is not one tshark
// dissects as HTTP by default (it would take port 22 for SSH).
const DECODE_AS: Record<string, number> = {
  'http__get-to-ssh-server.pcap': 22,
  'http__http-single-conn-22.pcap': 22,
  'http__http-to-ssh.pcap': 22,
  'http__zeek-image-post-1080-8000-x.pcap': 8000,
  'tcp-http-with-padding.pcap': 27272,
};

// Files where the sensor and tshark legitimately count differently, with the counts checked by hand
// (tshark -qz follow,tcp,ascii,N and the payload of each segment).
const COUNT_DIFFERENCES: Record<string, { sensor: number; tshark: number; why: string }> = {
  'http__zero-length-bodies-with-drops.pcap': {
    sensor: 7, tshark: 3,
    why: 'segments are missing (the capture dropped packets): 7 segments start with a GET request line, but '
      + 'tshark stops dissecting the stream at the first hole; the sensor skips the gap and resynchronises',
  },
  'http__putty-upload.pcap': {
    sensor: 2, tshark: 1,
    why: 'the POST upload ends before its Content-Length is complete: tshark reports a request only once the '
      + 'whole message is reassembled, the sensor emits it flagged `interrupted`',
  },
  'ipv6-http-atomic-frag.pcap': {
    sensor: 4, tshark: 0,
    why: 'the four requests are HTTP/0.9 (`GET /bad.html` without a version), which tshark does not dissect as '
      + 'HTTP requests even with decode-as; the sensor reports them with version 0.9',
  },
  'http__http-inner-transfer-encoding-ossfuzz.pcap': {
    sensor: 1, tshark: 0,
    why: 'fuzzer output: the client stream starts with a syntactically valid request line '
      + '(`ETA unknown_HTTP_metm/... HTTP/1.1`, a token method) followed by binary junk; tshark does not know the '
      + 'method, the sensor reports the request flagged `parse_error` (its head is malformed)',
  },
};

/** tshark's count of dissected HTTP requests in a file. */
async function tsharkRequests(file: string, port: number | undefined): Promise<number> {
  const args = ['-r', file, '-o', 'tcp.reassemble_out_of_order:TRUE', '-Y', 'http.request', '-T', 'fields', '-e', 'tcp.stream'];
  if (port !== undefined) args.push('-d', `tcp.port==${port},http`);
  const { stdout } = await execFileP('tshark', args, { maxBuffer: 1 << 28 });
  return stdout.split('\n').filter((l) => l.length > 0).length;
}

/** Number of TCP segments with payload (tshark), to tell a capture without any data. */
async function tsharkPayloadSegments(file: string): Promise<number> {
  const { stdout } = await execFileP('tshark', ['-r', file, '-Y', 'tcp.len > 0', '-T', 'fields', '-e', 'frame.number'], { maxBuffer: 1 << 28 });
  return stdout.split('\n').filter((l) => l.length > 0).length;
}

const more = readdirSync(join(CORPUS, 'more-traces')).sort();
for (const name of more) {
  t.test(`more-traces/${name}: requests match tshark`, async (t) => {
    const file = join(CORPUS, 'more-traces', name);
    const [res, expected] = await Promise.all([
      runSensor(['apidump', '--pcap', file, '--rate-limit', '0', '--log-level', 'warn'], { withOut: true }),
      tsharkRequests(file, DECODE_AS[name]),
    ]);
    t.equal(res.code, 0, `sensor exits 0 (stderr: ${res.stderr.slice(0, 300)})`);
    const known = COUNT_DIFFERENCES[name];
    if (known !== undefined) {
      t.equal(expected, known.tshark, `tshark counts ${known.tshark}`);
      t.equal(res.records.length, known.sensor, `sensor counts ${known.sensor}, not tshark's ${known.tshark}: ${known.why}`);
    } else {
      t.equal(res.records.length, expected, `${expected} requests, as tshark counts`);
    }
    if (expected === 0 && known === undefined) {
      // http__bro.org-filtered.pcap: the capture kept only headers-less packets (SYN/ACK/FIN, no payload),
      // so there is no HTTP at all to report.
      t.equal(await tsharkPayloadSegments(file), 0, 'no exchanges because the capture has no TCP payload');
    }
  });
}
