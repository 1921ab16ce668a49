// Scaling run: the same traffic with 100, 10k and 100k concurrent connections, sensor in file mode.
// RSS per connection = (peak RSS at N - peak RSS at the smallest N) / (N - smallest N). Above the
// assembler's maxConnections (32768, docs/reassembly.md) the least recently active connections are
// evicted, so the 100k row also shows what the cap costs in exchanges.
import { ensureCapture, runSensorFile } from './commands.mjs';
import { summarize, printTable } from './report.mjs';

export const SCALING_CONNECTIONS = [100, 10_000, 100_000];

export async function runScaling(o, { print, log }) {
  const rows = [];
  for (const n of SCALING_CONNECTIONS) {
    const file = `${o.dir}/scaling-${o.scalingPackets}-${n}-${o.inflight}-${o.seed}.pcap`;
    const truth = ensureCapture(file, { packets: o.scalingPackets, connections: n, inflight: o.inflight, seed: o.seed }, log);
    const runs = [];
    for (let i = 0; i < o.runs; i++) {
      log(`scaling ${n} connections run ${i + 1}/${o.runs}`);
      runs.push(await runSensorFile(file, o.dir, `scaling-${n}-${i}`));
    }
    const s = summarize(`sensor ${n} conns`, runs, truth);
    const st = runs[0].stats;
    rows.push({ ...s, connections: n, truth, requests: runs[0].requests, evicted: st['reassembly.evicted'] ?? 0,
      midStream: st['reassembly.connections_created'] ?? null });
  }
  print('\nscaling (sensor -> file, medians):\n');
  printTable(rows, print);
  const base = rows[0];
  print('\nconcurrent  peak RSS MiB  KiB per extra connection  requests found / truth  evicted  connections created (truth)');
  for (const r of rows) {
    const per = r === base ? '-' : (((r.peakRssMiB - base.peakRssMiB) * 1024) / (r.connections - base.connections)).toFixed(2);
    print(`${String(r.connections).padStart(10)}  ${r.peakRssMiB.toFixed(1).padStart(12)}  ${per.padStart(24)}  ` +
      `${`${r.requests} / ${r.truth.requests}`.padStart(22)}  ${String(r.evicted).padStart(7)}  ${r.midStream} (${r.truth.connections})`);
  }
  return rows;
}
