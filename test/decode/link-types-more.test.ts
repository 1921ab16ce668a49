/**
 * Cisco HDLC, PPP (framed, compressed, with a direction byte), PPPoE and MPLS: the same TCP segment in
 * each framing decodes as on Ethernet; control frames are NotTcp; every cut of a link header and every
 * impossible header field is Malformed with its reason, never a throw (random damage to these framings:
 * fuzz.test.ts). tshark reads each built frame as the same segment, so the framings are checked against
 * an independent dissector, not only against the decoder.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeFrame, payloadText, DecodeResult } from './decode-harness.js';
import { formatAddress } from '../../src/decode/address.js';
import { writePcapFile } from '../util/pcap-file.js';
import { haveTools } from '../util/tools.js';
import { PAYLOAD, v4, v6, SRC4, DST4, SRC6, DST6, SRC_PORT, DST_PORT, SEQ, ACK } from './link-cases.js';
import { MORE_CASES, NOT_IP, BAD_HEADERS } from './link-types-more-cases.js';

const run = promisify(execFile);

for (const c of MORE_CASES) {
  t.test(`${c.name} (DLT ${c.dlt})`, async (t) => {
    const d = decodeFrame(c.dlt, c.frame);
    t.equal(d.result, DecodeResult.Ok);
    t.equal(d.pkt.ipVersion, c.v);
    t.equal(formatAddress(d.pkt.buf, d.pkt.srcAddrOff, d.pkt.addrLen), c.v === 4 ? SRC4 : SRC6);
    t.equal(formatAddress(d.pkt.buf, d.pkt.dstAddrOff, d.pkt.addrLen), c.v === 4 ? DST4 : DST6);
    t.same([d.pkt.srcPort, d.pkt.dstPort, d.pkt.seq, d.pkt.ack, d.pkt.flags], [SRC_PORT, DST_PORT, SEQ, ACK, 0x18]);
    t.equal(payloadText(d), PAYLOAD.toString('latin1'));
    const ipLen = (c.v === 4 ? v4() : v6()).length;
    t.equal(d.pkt.srcAddrOff - d.base, c.header + (c.v === 4 ? 12 : 8), 'the IP header starts right after the link header');
    t.equal(d.pkt.payloadOff + d.pkt.payloadLen, d.base + c.header + ipLen, 'payload ends where the IP packet ends');
    t.same(d.counters, { 'decode.ok': 1, 'decode.packets': 1 });

    // every cut inside the link header: truncated, counted, no throw
    const cuts: string[] = [];
    for (let caplen = 0; caplen < c.header; caplen++) {
      const cut = decodeFrame(c.dlt, c.frame, caplen);
      if (cut.result !== DecodeResult.Malformed || cut.pkt.malformedReason !== 'truncated_link') cuts.push(`${caplen}: ${cut.result} ${cut.pkt.malformedReason}`);
    }
    t.same(cuts, [], `all ${c.header} cuts of the link header are truncated_link`);
  });
}

t.test('control frames and other non-IP payloads are NotTcp', async (t) => {
  for (const [name, dlt, frame] of NOT_IP) {
    const d = decodeFrame(dlt, frame);
    t.equal(d.result, DecodeResult.NotTcp, name);
    t.same(d.counters, { 'decode.not_tcp': 1, 'decode.packets': 1 }, name);
  }
});

t.test('impossible link header fields are malformed with a reason', async (t) => {
  for (const [name, dlt, frame, reason] of BAD_HEADERS) {
    const d = decodeFrame(dlt, frame);
    t.equal(d.result, DecodeResult.Malformed, name);
    t.equal(d.pkt.malformedReason, reason, name);
    t.same(d.counters, { ['decode.malformed.' + reason]: 1, 'decode.packets': 1 }, name);
  }
});

/**
 * tshark knows neither LINKTYPE_PPP_PPPD (166) nor LINKTYPE_C_HDLC_WITH_DIR (205). tcpdump dissects
 * 166 and is the check for it; 205 is a direction byte (as in 204) in front of Cisco HDLC (as in 104),
 * both of which tshark checks here.
 */
const TSHARK_UNKNOWN = new Set([166, 205]);
const byTshark = MORE_CASES.filter((c) => !TSHARK_UNKNOWN.has(c.dlt));

function writeOne(dir: string, name: string, c: { dlt: number; frame: Buffer }): string {
  const p = join(dir, `${name}.pcap`);
  writePcapFile(p, { linkType: c.dlt, nano: false, records: [{ tsSec: 0, tsFrac: 0, origLen: c.frame.length, data: c.frame }] });
  return p;
}

t.test('tcpdump reads the PPP_PPPD frames as the TCP segment we built', { skip: (await haveTools(['tcpdump'], '--version')) ? false : 'tcpdump not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'decode-links-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [i, c] of MORE_CASES.entries()) {
    if (c.dlt !== 166) continue;
    const { stdout } = await run('tcpdump', ['-n', '-r', writeOne(dir, String(i), c)]);
    const [src, dst] = c.v === 4 ? [SRC4, DST4] : [SRC6, DST6];
    t.match(stdout, `${src}.${SRC_PORT} > ${dst}.${DST_PORT}: Flags [P.], seq ${SEQ}:`, c.name);
    t.match(stdout, `ack ${ACK}, win 502, length ${PAYLOAD.length}: HTTP: GET /x HTTP/1.1`, c.name);
  }
});

t.test('tshark reads every new framing as the TCP segment we built', { skip: (await haveTools(['tshark', 'mergecap'])) ? false : 'tshark/mergecap not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'decode-links-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const paths = byTshark.map((c, i) => writeOne(dir, String(i).padStart(3, '0'), c));
  const merged = join(dir, 'all.pcapng');
  await run('mergecap', ['-a', '-F', 'pcapng', '-w', merged, ...paths]);
  const fields = ['frame.number', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'ip.src', 'ipv6.src', 'tcp.payload'];
  const { stdout } = await run('tshark', ['-n', '-r', merged, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])]);
  const rows = stdout.trim().split('\n').map((l) => l.split('\t'));
  t.equal(rows.length, byTshark.length, 'one row per frame');
  byTshark.forEach((c, i) => {
    const [frame, sport, dport, seq, ack, src4, src6, payloadHex] = rows[i] ?? [];
    t.same(
      { frame, sport, dport, seq, ack, src: c.v === 4 ? src4 : src6, payload: Buffer.from(payloadHex ?? '', 'hex').toString('latin1') },
      { frame: String(i + 1), sport: String(SRC_PORT), dport: String(DST_PORT), seq: String(SEQ), ack: String(ACK), src: c.v === 4 ? SRC4 : SRC6, payload: PAYLOAD.toString('latin1') },
      `${c.name} (DLT ${c.dlt})`,
    );
  });
});
