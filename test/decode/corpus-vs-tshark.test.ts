/**
 * Cross-check on real captures: every classic-pcap file of the Zeek HTTP corpus (traces/ and
 * more-traces/; pcapng files are skipped, the native reader covers those) is decoded packet by
 * packet, and the number of TCP segments and the sum of their payload lengths are compared with
 * tshark's `-Y tcp -T fields -e tcp.len` for the same file. The corpus covers Ethernet, 802.1Q,
 * QinQ, raw IPv4 (DLT 228), BSD NULL, NFLOG, IPv6 with an atomic fragment header, Ethernet padding
 * and a nanosecond-precision file.
 *
 * Differences that would be legitimate, and how they are handled:
 *  - Snaplen-cut packets: tshark's tcp.len is computed from the IP length, so it includes bytes that
 *    were never captured; the decoder trims to what was captured. For such packets the uncaptured
 *    bytes (origLen - caplen) are added back before comparing.
 *  - IP fragments: tshark reassembles them and shows TCP in the last fragment's frame; the decoder
 *    does not reassemble and reports Fragment. A file with fragments may therefore show fewer
 *    segments and bytes here than in tshark, never more.
 *  - An ICMP error quoting a TCP header matches `-Y tcp` in tshark (with a tcp.len); the decoder
 *    rightly calls it NotTcp. Such lines are recognised by tshark printing the ICMP layer.
 * At the time of writing no corpus file needs any of these: all of them match exactly.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { readdirSync, openSync, readSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readPcapFile, isClassicPcap } from '../util/pcap-file.js';
import { PacketDecoder } from '../../src/decode/packet-decoder.js';
import { DecodedPacket, DecodeResult } from '../../src/decode/types.js';
import { Counters } from '../../src/util/counters.js';
import { haveTools } from '../util/tools.js';
import { CORPUS } from '../capture/fixtures/corpus.js';

const run = promisify(execFile);
const DIRS = ['traces', 'more-traces'];

interface Tally {
  segments: number;
  bytes: number;
}

function classicPcapFiles(): string[] {
  const files: string[] = [];
  for (const d of DIRS) {
    const dir = join(CORPUS, d);
    for (const f of readdirSync(dir).sort()) {
      const path = join(dir, f);
      const head = Buffer.alloc(4);
      const fd = openSync(path, 'r');
      readSync(fd, head, 0, 4, 0);
      closeSync(fd);
      if (isClassicPcap(head)) files.push(path);
    }
  }
  return files;
}

/**
 * tshark's tally per file. Starting tshark ~100 times costs a minute on a busy 2-core machine, so
 * the files are concatenated with mergecap into one pcapng (one interface per file, link types and
 * timestamp precision kept) and dissected once; frame numbers map back to files by record counts.
 * Dissection state shared across files (IP reassembly, TCP analysis) does not change tcp.len.
 */
async function tsharkTallies(paths: string[], recordCounts: number[]): Promise<(Tally & { icmpQuoted: number })[]> {
  const dir = mkdtempSync(join(tmpdir(), 'decode-tshark-'));
  try {
    const merged = join(dir, 'all.pcapng');
    await run('mergecap', ['-a', '-F', 'pcapng', '-w', merged, ...paths]);
    const { stdout } = await run('tshark', ['-n', '-r', merged, '-Y', 'tcp', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.len', '-e', 'icmp.type', '-e', 'icmpv6.type'], {
      maxBuffer: 256 << 20,
    });
    const tallies = paths.map(() => ({ segments: 0, bytes: 0, icmpQuoted: 0 }));
    const firstFrame: number[] = []; // 1-based frame number of each file's first record
    let next = 1;
    for (const n of recordCounts) {
      firstFrame.push(next);
      next += n;
    }
    let file = 0;
    for (const line of stdout.split('\n')) {
      if (line === '') continue;
      const [frame, len, icmp, icmp6] = line.split('\t');
      const no = Number(frame);
      while (file + 1 < firstFrame.length && no >= firstFrame[file + 1]) file++;
      const tally = tallies[file];
      if (icmp || icmp6) {
        tally.icmpQuoted++; // an ICMP error quoting a TCP header: not a segment
        continue;
      }
      tally.segments++;
      tally.bytes += Number(len);
    }
    return tallies;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function decoderTally(path: string): Tally & { fragments: number; uncaptured: number; linkType: number; packets: number } {
  const pcap = readPcapFile(path);
  const dec = new PacketDecoder(new Counters());
  const pkt = new DecodedPacket();
  const tally = { segments: 0, bytes: 0, fragments: 0, uncaptured: 0, linkType: pcap.linkType, packets: pcap.records.length };
  for (const r of pcap.records) {
    const caplen = r.data.length;
    const res = dec.decode(pcap.linkType, r.data, 0, caplen, pkt);
    if (res === DecodeResult.Fragment) tally.fragments++;
    if (res !== DecodeResult.Ok) continue;
    tally.segments++;
    tally.bytes += pkt.payloadLen;
    if (r.origLen > caplen) tally.uncaptured += r.origLen - caplen;
  }
  return tally;
}


const files = classicPcapFiles();
const haveTshark = await haveTools(['tshark', 'mergecap']);

t.test('decoder agrees with tshark on the Zeek corpus', { skip: !haveTshark ? 'tshark/mergecap not installed' : false }, async (t) => {
  const totals = { files: 0, packets: 0, segments: 0, bytes: 0, tsharkSegments: 0, tsharkBytes: 0 };
  const linkTypes = new Set<number>();
  const decoded = files.map(decoderTally);
  const theirTallies = await tsharkTallies(files, decoded.map((d) => d.packets));
  for (let i = 0; i < files.length; i++) {
    const name = files[i].slice(CORPUS.length + 1);
    const theirs = theirTallies[i];
    const mine = decoded[i];
    linkTypes.add(mine.linkType);
    totals.files++;
    totals.packets += mine.packets;
    totals.segments += mine.segments;
    totals.bytes += mine.bytes;
    totals.tsharkSegments += theirs.segments;
    totals.tsharkBytes += theirs.bytes;
    const myBytes = mine.bytes + mine.uncaptured; // tshark counts uncaptured bytes in tcp.len
    if (mine.fragments > 0) {
      t.ok(mine.segments <= theirs.segments && myBytes <= theirs.bytes, `${name}: fragments (${mine.fragments}) only remove segments`);
    } else {
      t.same({ segments: mine.segments, bytes: myBytes }, { segments: theirs.segments, bytes: theirs.bytes }, `${name} (DLT ${mine.linkType})`);
    }
  }
  t.ok(totals.files >= 90, `${totals.files} classic pcap files compared`);
  t.same([...linkTypes].sort((a, b) => a - b), [0, 1, 228, 239], 'the corpus exercised NULL, Ethernet, raw IPv4 and NFLOG');
  t.comment(`totals: ${JSON.stringify(totals)}`);
});
