/**
 * Checks the test frame builder itself against tshark, so the decoder tests do not rest on a
 * builder that shares the decoder's misreading of a format (NFLOG TLV byte order, SLL2 layout,
 * extension header lengths...). Every link case and a few IP variants are written to classic
 * pcap files, merged, and dissected by tshark once; tshark must find the TCP segment we built.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writePcapFile } from '../util/pcap-file.js';
import * as B from '../util/packet-builder.js';
import { LINK_CASES, PAYLOAD, SRC4, SRC6, SRC_PORT, DST_PORT, SEQ, ACK, type LinkCase } from './link-cases.js';
import { haveTools } from '../util/tools.js';

const run = promisify(execFile);

const extra: (LinkCase & { payload: string })[] = [];
{
  const seg = (payload: string): Buffer =>
    B.tcp({ srcPort: SRC_PORT, dstPort: DST_PORT, seq: SEQ, ack: ACK, options: B.typicalSynOptions(), payload: Buffer.from(payload) });
  const add = (name: string, dlt: number, v: 4 | 6, payload: string, frame: Buffer): void => {
    extra.push({ name, dlt, v, payload, frame });
  };
  add('IPv4 options + TCP options, padded', 1, 4, 'p', B.ethernet({ etherType: 0x0800, padByte: 0x55, payload: B.ipv4({ src: SRC4, options: Buffer.from([0x94, 4, 0, 0]), payload: seg('p') }) }));
  add('IPv6 hop-by-hop, routing, dest options', 229, 6, 'ext', B.ipv6({ src: SRC6, extHeaders: [{ type: 'hopByHop' }, { type: 'routing', length: 24 }, { type: 'destOpts', length: 16 }], payload: seg('ext') }));
  add('IPv6 atomic fragment', 229, 6, 'atomic', B.ipv6({ src: SRC6, extHeaders: [{ type: 'fragment', offset: 0, more: false }], payload: seg('atomic') }));
}


t.test('tshark reads every built frame as the TCP segment we meant', { skip: (await haveTools(['tshark', 'mergecap'])) ? false : 'tshark/mergecap not installed' }, async (t) => {
  const all = [...LINK_CASES.map((c) => ({ ...c, payload: PAYLOAD.toString('latin1') })), ...extra];
  const dir = mkdtempSync(join(tmpdir(), 'decode-builder-'));
  try {
    // one file per case keeps the frame order simple: frame i+1 of the merged file is case i
    const paths = all.map((c, i) => {
      const p = join(dir, `${String(i).padStart(3, '0')}.pcap`);
      writePcapFile(p, { linkType: c.dlt, nano: false, records: [{ tsSec: 0, tsFrac: 0, origLen: c.frame.length, data: c.frame }] });
      return p;
    });
    const merged = join(dir, 'all.pcapng');
    await run('mergecap', ['-a', '-F', 'pcapng', '-w', merged, ...paths]);
    const fields = ['frame.number', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.len', 'ip.src', 'ipv6.src', 'tcp.payload'];
    const { stdout } = await run('tshark', ['-n', '-r', merged, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])]);
    const rows = stdout.trim().split('\n').map((l) => l.split('\t'));
    t.equal(rows.length, all.length, 'one row per frame');
    all.forEach((c, i) => {
      const [frame, sport, dport, seq, ack, len, src4, src6, payloadHex] = rows[i] ?? [];
      t.same(
        { frame, sport, dport, seq, ack, len, src: c.v === 4 ? src4 : src6, payload: Buffer.from(payloadHex ?? '', 'hex').toString('latin1') },
        {
          frame: String(i + 1),
          sport: String(SRC_PORT),
          dport: String(DST_PORT),
          seq: String(SEQ),
          ack: String(ACK),
          len: String(c.payload.length),
          src: c.v === 4 ? SRC4 : SRC6,
          payload: c.payload,
        },
        `${c.name} (DLT ${c.dlt})`,
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
