import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readPcap, isClassicPcap } from '../util/pcap-walk.js';
import { PacketDecoder } from '../../src/decode/packet-decoder.js';
import { DecodedPacket } from '../../src/decode/types.js';
import { Counters } from '../../src/util/counters.js';
import { readFileSync } from 'node:fs';
const ts = new Map<string,string>();
for (const l of readFileSync('/tmp/dec/tshark.txt','utf8').trim().split('\n')) { const [f,...r]=l.split(' '); ts.set(f, r.join(' ')); }
const base='/work/shared/corpus/zeek-http';
for (const d of ['traces','more-traces']) for (const f of readdirSync(join(base,d)).sort()) {
  const p = join(base,d,f);
  if (!isClassicPcap(readFileSync(p).subarray(0,4))) { console.log('skip', f); continue; }
  const pc = readPcap(p);
  const c = new Counters(); const dec = new PacketDecoder(c); const out = new DecodedPacket();
  let n=0, bytes=0, trunc=0;
  for (const r of pc.records) { if (r.caplen < r.origLen) trunc++; if (dec.decode(pc.linkType, pc.data, r.off, r.caplen, out) === 0) { n++; bytes += out.payloadLen; } }
  dec.publish();
  const mine = `${n} ${bytes}`; const theirs = ts.get(`${d}/${f}`);
  console.log(mine === theirs ? 'SAME' : 'DIFF', `${d}/${f}`, pc.linkType, 'mine', mine, 'tshark', theirs, trunc ? `trunc=${trunc}` : '', JSON.stringify(c.snapshot()));
}
