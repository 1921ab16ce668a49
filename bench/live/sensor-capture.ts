/**
 * The sensor side of bench/live/replay-bench.mjs, run inside the capturing namespace:
 *   sensor-capture.ts <interface> <bufferBytes> <out.jsonl>
 * openLiveSources -> PacketDecoder -> Assembler -> HttpStreamFactory -> one JSON line per exchange
 * written to <out.jsonl> (a local file). Prints {"ready":true} once capturing. Lines on stdin:
 *   mark   prints {"mark":true, "seen", "received", "kernelDrops"} at once: packets the pipeline has
 *          read so far, packets the kernel passed through the filter (pcap_stats ps_recv: read,
 *          unread or dropped), and ring-full drops (ps_drop). received - seen - kernelDrops is what
 *          sits in the ring unread (the block being filled included): the bench sends it when the
 *          replay ends, to show how far behind the sender the capturer was.
 *   stop   stops (graceful drain), flushes and prints {"packets", "kernelDrops", "ifDrops", "exchanges", "cpuUs"}.
 */
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Counters } from '../../src/util/counters.js';
import { openLiveSources, runAll } from '../../src/capture/live-capture-set.js';
import { LiveStatsPublisher } from '../../src/capture/live-stats.js';
import { PacketDecoder } from '../../src/decode/packet-decoder.js';
import { Assembler } from '../../src/reassembly/assembler.js';
import { HttpStreamFactory } from '../../src/http/index.js';
import type { HttpExchange } from '../../src/http/types.js';
import { PacketPump } from '../../src/pipeline/packet-pump.js';

const [device, bufferArg, outPath] = process.argv.slice(2);
const counters = new Counters();
const out = createWriteStream(outPath);
let exchanges = 0;
const http = new HttpStreamFactory({
  onExchange(ex: HttpExchange) {
    exchanges++;
    out.write(`{"m":"${ex.request.method}","p":${JSON.stringify(ex.request.path)},"s":${ex.response?.status ?? null},` +
      `"c":"${ex.conn.clientIp}:${ex.conn.clientPort}"}\n`);
  },
}, { admit: () => true }, {}, counters);
const pump = new PacketPump(new PacketDecoder(counters), new Assembler(http, {}, counters));
const sources = await openLiveSources({ interfaces: [device], bufferBytes: Number(bufferArg), excludeEndpoints: [] }, counters);
const stats = new LiveStatsPublisher(sources, counters);
const running = runAll(sources, pump);
const cpu0 = process.cpuUsage();
process.stdout.write('{"ready":true}\n');

createInterface({ input: process.stdin }).on('line', async (line) => {
  if (line.trim() === 'mark') {
    const now = sources.map((s) => s.stats());
    process.stdout.write(JSON.stringify({
      mark: true,
      seen: pump.packets,
      received: now.reduce((n, s) => n + (s.received ?? 0), 0),
      kernelDrops: now.reduce((n, s) => n + s.kernelDrops, 0),
    }) + '\n');
    return;
  }
  if (line.trim() !== 'stop') return;
  stats.publish();
  const cpu = process.cpuUsage(cpu0);
  for (const s of sources) s.stop();
  await running;
  pump.finish();
  stats.publish();
  for (const s of sources) s.close();
  out.end(() => {
    process.stdout.write(JSON.stringify({
      packets: pump.packets,
      kernelDrops: counters.get('capture.kernel_drops'),
      ifDrops: counters.get('capture.if_drops'),
      exchanges,
      cpuUs: cpu.user + cpu.system,
    }) + '\n', () => process.exit(0));
  });
});
