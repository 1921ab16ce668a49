/**
 * The recorded fixture captures rewritten into Cisco HDLC, PPP, PPPoE and MPLS framings
 * (fixtures/captures/links/, made by fixtures/links/relink.ts) through the whole program:
 *  - the committed files are exactly what the script makes of today's recordings;
 *  - tshark dissects each one as it dissects the recording: the same TCP segments and bytes, the same
 *    HTTP requests and responses; the decoder finds the same segments and bytes as tshark;
 *  - bin/pcap-sensor reports the exchanges the recording clients and servers logged
 *    (<source>.expected.json), and counts the link's control frames as not TCP;
 *  - libpcap compiles and applies BPF filters on these link types in file mode, with the limits
 *    docs/capture.md ("Link types") states, and `--filter 'port N'` works through bin/pcap-sensor.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LINK_VARIANTS, LINKS_DIR, CAPTURES_DIR, relinkedFile, type LinkVariant } from '../../fixtures/links/relink.js';
import { readPcapFile, writePcapFile } from '../util/pcap-file.js';
import { haveTools } from '../util/tools.js';
import { runSensor } from '../util/sensor-run.js';
import { PacketDecoder } from '../../src/decode/packet-decoder.js';
import { DecodedPacket, DecodeResult } from '../../src/decode/types.js';
import { Counters } from '../../src/util/counters.js';
import { FileCaptureSource } from '../../src/capture/file-source.js';
import { MORE_CASES } from './link-types-more-cases.js';

const run = promisify(execFile);
const variantPath = (v: LinkVariant): string => join(LINKS_DIR, `${v.name}.pcap`);
const sourcePath = (v: LinkVariant): string => join(CAPTURES_DIR, `${v.source}.pcap`);

t.test('the committed variants are what fixtures/links/relink.ts makes of the recordings', async (t) => {
  for (const v of LINK_VARIANTS) {
    t.ok(readFileSync(variantPath(v)).equals(relinkedFile(v)), `${v.name}.pcap is current (else run: node --import=@tapjs/typescript/import fixtures/links/relink.ts)`);
  }
});

/** Decoder outcome counts and the TCP segments / payload bytes it found, in process. */
function decoderTally(path: string) {
  const file = readPcapFile(path);
  const dec = new PacketDecoder(new Counters());
  const pkt = new DecodedPacket();
  let segments = 0;
  let bytes = 0;
  for (const r of file.records) {
    if (dec.decode(file.linkType, r.data, 0, r.data.length, pkt) !== DecodeResult.Ok) continue;
    segments++;
    bytes += pkt.payloadLen;
  }
  return { linkType: file.linkType, records: file.records.length, ok: dec.packetsOk, notTcp: dec.notTcp, malformed: dec.malformed, segments, bytes };
}

/** tshark's TCP segments and bytes, and its HTTP messages (ports, method, target, status) in frame order. */
async function tsharkView(path: string) {
  const fields = ['tcp.len', 'tcp.srcport', 'tcp.dstport', 'http.request.method', 'http.request.uri', 'http.response.code'];
  const { stdout } = await run('tshark', ['-n', '-r', path, '-Y', 'tcp', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { maxBuffer: 64 << 20 });
  let segments = 0;
  let bytes = 0;
  const http: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const [len, sport, dport, method, uri, code] = line.split('\t');
    segments++;
    bytes += Number(len);
    if (method || code) http.push([sport, dport, method, uri, code].join(' '));
  }
  return { segments, bytes, http };
}

t.test('tshark dissects every variant as the recording; the decoder agrees with tshark', { skip: (await haveTools(['tshark'])) ? false : 'tshark not installed' }, async (t) => {
  for (const v of LINK_VARIANTS) {
    const [theirs, original] = await Promise.all([tsharkView(variantPath(v)), tsharkView(sourcePath(v))]);
    const mine = decoderTally(variantPath(v));
    t.ok(original.http.length > 0, `${v.source}: tshark finds HTTP in the recording`);
    t.same(theirs.http, original.http, `${v.name}: the same ${original.http.length} HTTP messages as ${v.source}.pcap`);
    t.same({ segments: theirs.segments, bytes: theirs.bytes }, { segments: original.segments, bytes: original.bytes }, `${v.name}: tshark's TCP segments and bytes`);
    t.same({ segments: mine.segments, bytes: mine.bytes }, { segments: theirs.segments, bytes: theirs.bytes }, `${v.name} (DLT ${mine.linkType}): the decoder's TCP segments and bytes`);
  }
});

interface Expected { client_port: number; order_on_connection: number; method: string; target: string; host: string | null; request_body_length: number; status: number | null; response_body_length: number; informational: number[]; response_encoding: string | null; server_port: number }

const expectedOf = (v: LinkVariant): Expected[] => JSON.parse(readFileSync(join(CAPTURES_DIR, `${v.source}.expected.json`), 'utf8')).exchanges;
const observed = (r: any) => ({
  client_port: r.client.port, order_on_connection: r.depth, server_port: r.server.port, method: r.request.method, target: r.request.target,
  host: r.request.host, request_body_length: r.request.body.length, status: r.response ? r.response.status : null,
  response_body_length: r.response ? r.response.body.length : 0, informational: r.response ? r.response.informational : [],
  response_encoding: r.response ? r.response.body.encoding : null,
});
const order = (a: { client_port: number; order_on_connection: number }, b: typeof a): number => a.client_port - b.client_port || a.order_on_connection - b.order_on_connection;

/** The `final stats` counters the sensor logs on stderr when a file run ends. */
function finalStats(stderr: string): Record<string, number> {
  const line = stderr.split('\n').find((l) => l.includes('"final stats"'));
  return line ? JSON.parse(line).stats : {};
}

for (const v of LINK_VARIANTS) {
  t.test(`${v.name}: bin/pcap-sensor reports the exchanges of ${v.source}.expected.json`, async (t) => {
    const res = await runSensor(['apidump', '--pcap', variantPath(v), '--rate-limit', '0', '--log-level', 'info'], { withOut: true, timeoutMs: 120_000 });
    t.equal(res.code, 0, res.stderr.slice(-500));
    const want = expectedOf(v).sort(order);
    const got = res.records.map(observed).sort(order);
    // the expected files hold exactly the fields `observed` builds, so whole objects compare
    t.same(got, want, `${want.length} exchanges`);
    for (const r of res.records) t.same(r.flags.filter((f: string) => ['gap', 'interrupted', 'no_response', 'parse_error', 'truncated'].includes(f)), [], `no damage flags on ${r.request.target}`);
    // the same IP packets as the recording; every control frame the variant added is counted as not TCP
    const recording = decoderTally(sourcePath(v));
    const variant = readPcapFile(variantPath(v));
    const stats = finalStats(res.stderr);
    t.same(
      { packets: stats['decode.packets'], ok: stats['decode.ok'], notTcp: stats['decode.not_tcp'], malformed: Object.keys(stats).filter((k) => k.startsWith('decode.malformed.')) },
      { packets: variant.records.length, ok: recording.ok, notTcp: recording.notTcp + variant.records.length - recording.records, malformed: [] },
      'decode counters of the final stats',
    );
  });
}

/** Packets a file yields through libpcap with `filter` (FileCaptureSource, as the sensor opens files). */
async function filteredCount(path: string, filter: string): Promise<number> {
  const source = new FileCaptureSource(path, { filter });
  let n = 0;
  try {
    await source.run({ onBatch: (b) => { n += b.count; } });
  } finally {
    source.close();
  }
  return n;
}

t.test('libpcap filters on these link types in file mode', async (t) => {
  const tcpFrames = (v: LinkVariant): number => decoderTally(variantPath(v)).ok;
  const byName = new Map(LINK_VARIANTS.map((v) => [v.name, v]));
  const check = async (name: string, filter: string, want: 'all tcp' | 0, why: string): Promise<void> => {
    const v = byName.get(name)!;
    const n = await filteredCount(variantPath(v), filter);
    t.equal(n, want === 0 ? 0 : tcpFrames(v), `${name} '${filter}': ${why}`);
  };
  await check('chdlc-curl-variety', 'tcp port 8080', 'all tcp', 'Cisco HDLC offsets');
  await check('ppp-node-keepalive', 'tcp port 8080', 'all tcp', 'PPP offsets');
  await check('ppp-hdlc-python-http10', 'tcp port 8000', 'all tcp', 'PPP_SERIAL with PPP framing');
  await check('ppp-ether-pipelining', 'tcp port 8080', 'all tcp', 'PPPoE offsets');
  await check('ethernet-mpls-pipelining', 'mpls and mpls and tcp port 8080', 'all tcp', 'one `mpls` per label');
  await check('ethernet-vlan-pppoe-python-http10', 'vlan and pppoes and tcp port 8000', 'all tcp', '`vlan` and `pppoes` move the offsets');
  // libpcap's limits, stated in docs/capture.md: fixed offsets
  await check('ethernet-mpls-pipelining', 'tcp port 8080', 0, 'without `mpls` the filter reads the label stack as IP');
  await check('ethernet-vlan-pppoe-python-http10', 'tcp port 8000', 0, 'without `pppoes` nothing under PPPoE matches');
  await check('ppp-compressed-ipv6', 'ip6', 0, 'libpcap assumes uncompressed PPP headers');
  await check('ppp-hdlc-cisco-ipv6', 'ip6', 0, 'libpcap reads PPP_SERIAL as PPP, not as Cisco HDLC');

  // direction-prefixed types: 166 filters; libpcap has no filter code for 204 / 205
  const dir = mkdtempSync(join(tmpdir(), 'pcs-links-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [i, c] of MORE_CASES.entries()) {
    if (c.dlt < 166 || c.dlt > 205) continue;
    const path = join(dir, `${i}.pcap`);
    writePcapFile(path, { linkType: c.dlt, nano: false, records: [{ tsSec: 0, tsFrac: 0, origLen: c.frame.length, data: c.frame }] });
    if (c.dlt === 166) t.equal(await filteredCount(path, 'tcp port 8080'), 1, `${c.name}: filtered in`);
    else t.throws(() => new FileCaptureSource(path, { filter: 'tcp' }), /invalid filter "tcp": DLT 20[45] link-layer type filtering not implemented/, `${c.name}: refused with libpcap's reason`);
  }
});

t.test("--filter 'port N' through bin/pcap-sensor on a Cisco HDLC capture keeps one connection", async (t) => {
  const v = LINK_VARIANTS.find((x) => x.name === 'chdlc-curl-variety')!;
  const expected = expectedOf(v);
  const port = expected[0].client_port;
  const res = await runSensor(['apidump', '--pcap', variantPath(v), '--filter', `port ${port}`, '--rate-limit', '0', '--log-level', 'info'], { withOut: true, timeoutMs: 120_000 });
  t.equal(res.code, 0, res.stderr.slice(-500));
  const want = expected.filter((e) => e.client_port === port);
  t.ok(want.length > 0 && want.length < expected.length, `port ${port} holds ${want.length} of ${expected.length} exchanges`);
  t.same(res.records.map((r) => `${r.client.port} ${r.request.method} ${r.request.target} ${r.response?.status}`).sort(), want.map((e) => `${e.client_port} ${e.method} ${e.target} ${e.status}`).sort());
  // libpcap passed exactly that connection's frames: no SLARP keepalive, no other connection
  const file = readPcapFile(variantPath(v));
  const dec = new PacketDecoder(new Counters());
  const pkt = new DecodedPacket();
  const frames = file.records.filter((r) => dec.decode(file.linkType, r.data, 0, r.data.length, pkt) === DecodeResult.Ok && (pkt.srcPort === port || pkt.dstPort === port)).length;
  const stats = finalStats(res.stderr);
  t.same({ packets: stats['decode.packets'], ok: stats['decode.ok'] }, { packets: frames, ok: frames }, `the ${frames} frames of port ${port}`);
});
