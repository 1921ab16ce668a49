// Hostile run: gaps that never fill, SYN flood, endless headers (bench/lib/hostile-traffic.mjs). Reports
// the sensor's peak RSS and the counters showing which documented cap acted:
//   reassembly (docs/reassembly.md): 32 MiB held out-of-order bytes in total, 4 MiB / 4096 segments per
//   connection, 32768 connections of which 8192 embryonic; http (docs/http.md): 64 KiB per message head,
//   64 MiB of bodies, 16 MiB of heads awaiting responses.
// The sidecar budget those caps are sized for is 512 MiB (docs/reliability.md, "Memory budget").
import { ensureCapture, runSensorFile } from './commands.mjs';
import { summarize, printTable } from './report.mjs';

const CAP_COUNTERS = ['reassembly.cap_total_bytes', 'reassembly.cap_conn_bytes', 'reassembly.cap_conn_segments',
  'reassembly.evicted', 'reassembly.evicted_embryonic', 'reassembly.gap', 'reassembly.gaps', 'reassembly.gap_timeout', 'reassembly.connections_created',
  'http.exchanges', 'http.requests', 'http.gaps', 'http.request_head_lost', 'http.body_budget_exhausted',
  'http.head_budget_exhausted'];

export async function runHostile(o, { print, log }) {
  const file = `${o.dir}/hostile-${o.hostilePackets}-${o.seed}.pcap`;
  const truth = ensureCapture(file, { packets: o.hostilePackets, connections: 5000, seed: o.seed, profile: 'hostile' }, log);
  const runs = [];
  for (let i = 0; i < o.runs; i++) {
    log(`hostile run ${i + 1}/${o.runs}`);
    runs.push(await runSensorFile(file, o.dir, `hostile-${i}`));
  }
  const s = summarize('sensor hostile', runs, truth);
  print(`\nhostile capture: ${truth.packets} packets; ${truth.gapConnections} gap connections, ` +
    `${truth.synFlood} SYN-flood SYNs, ${truth.headerConnections} endless-header connections\n`);
  printTable([s], print);
  const st = runs[0].stats;
  print('\ncounters (run 1):');
  for (const k of CAP_COUNTERS) if (st[k] != null) print(`  ${k.padEnd(36)} ${st[k]}`);
  const parse = Object.entries(st).filter(([k, v]) => /header_too_large|line_too_long|parse_error/.test(k) && v);
  for (const [k, v] of parse) print(`  ${k.padEnd(36)} ${v}`);
  print(`\npeak RSS ${s.peakRssMiB.toFixed(1)} MiB vs the 512 MiB sidecar budget the caps are sized for ` +
    `(${s.peakRssMiB < 512 ? 'under' : 'OVER'})`);
  return { truth, summary: s, stats: st };
}
