#!/usr/bin/env -S node --import @tapjs/typescript/import
// Throughput benchmark (docs/performance.md). `npm run bench -- [flags]`
//
//   default     generate (or reuse) a capture, then run each command --runs times as whole processes:
//               tcpdump (libpcap read floor), tshark (full analyzer), the sensor writing a JSONL file, the
//               sensor exporting to the embedded satellite, `pcap-sensor inventory`; then the sensor (and
//               tshark, once) on an h2c/gRPC capture. Prints medians, ratios, targets, agreement.
//   --scaling   the same traffic with 100, 10k, 100k concurrent connections (sensor file mode).
//   --hostile   gaps that never fill, SYN flood, endless headers: peak RSS against the documented caps.
//
// Flags: --packets 1000000 --connections 2000 --inflight 64 (connections transferring at once; 0 = all)
//        --seed 1 --runs 3 --dir /tmp/pcap-sensor-bench
//        --tshark-packets 200000 (tshark reads a separate capture of this many packets, same traffic
//        model, since it runs at a few thousand packets/s and needs GBs at 1M; 0 = the main capture)
//        --scaling-packets 1000000 --hostile-packets 1000000 --no-satellite --no-inventory
//        --h2-packets 1000000 (the h2c capture; 0 = no h2 run) --no-h2-tshark
// Numbers are reported, never asserted: nothing here fails on a slow machine.
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseFlags } from './generate-capture.mjs';
import { ensureCapture, runFloor, runTshark, runSensorFile, runSensorSatellite, runInventory, startSatellite } from './lib/commands.mjs';
import { runH2, printH2Checks } from './lib/h2.mjs';
import { summarize, printTable, agreement } from './lib/report.mjs';
import { HAS_GNU_TIME } from './lib/measure.mjs';
import { runScaling } from './lib/scaling.mjs';
import { runHostile } from './lib/hostile.mjs';

// bin/pcap-sensor (a shell script) runs the node on PATH unless told: the same node as this script.
process.env.PCAP_SENSOR_NODE ??= process.execPath;

const DEFAULTS = {
  packets: 1_000_000, connections: 2000, inflight: 64, seed: 1, runs: 3, dir: '/tmp/pcap-sensor-bench', tsharkPackets: 200_000,
  scaling: false, scalingPackets: 1_000_000, hostile: false, hostilePackets: 1_000_000, noSatellite: false,
  noInventory: false, h2Packets: 1_000_000, noH2Tshark: false,
};
const print = (s = '') => process.stdout.write(`${s}\n`);
const log = (s) => process.stderr.write(`[bench] ${s}\n`);

async function repeat(n, what, fn) {
  const out = [];
  for (let i = 0; i < n; i++) {
    log(`${what} run ${i + 1}/${n}`);
    const r = await fn(i);
    if (r.code !== 0) log(`  ${what} exited with code ${r.code}`);
    out.push(r);
  }
  return out;
}

async function throughput(o) {
  const file = `${o.dir}/capture-${o.packets}-${o.connections}-${o.inflight}-${o.seed}.pcap`;
  const truth = ensureCapture(file, { packets: o.packets, connections: o.connections, inflight: o.inflight, seed: o.seed }, log);
  let tsFile = file, tsTruth = truth;
  if (o.tsharkPackets > 0 && o.tsharkPackets < o.packets) {
    tsFile = `${o.dir}/capture-${o.tsharkPackets}-${o.connections}-${o.inflight}-${o.seed}.pcap`;
    tsTruth = ensureCapture(tsFile, { packets: o.tsharkPackets, connections: o.connections, inflight: o.inflight, seed: o.seed }, log);
  }
  const floor = await repeat(o.runs, 'tcpdump', (i) => runFloor(file, o.dir, i));
  const tshark = await repeat(o.runs, 'tshark', (i) => runTshark(tsFile, o.dir, i));
  const sensorFile = await repeat(o.runs, 'sensor-file', (i) => runSensorFile(file, o.dir, i));
  // The sensor on tshark's capture too, when it is a separate one, so the counts compare like with like.
  const sensorOnTs = tsFile === file ? sensorFile[0] : (await repeat(1, 'sensor-file (tshark capture)', () => runSensorFile(tsFile, o.dir, 'ts')))[0];
  let sensorSat = null;
  if (!o.noSatellite) {
    const sat = await startSatellite(o.dir);
    try { sensorSat = await repeat(o.runs, 'sensor-satellite', (i) => runSensorSatellite(file, o.dir, i, sat)); }
    finally { await sat.stop(); }
  }
  const inventory = o.noInventory ? null : await repeat(o.runs, 'inventory', (i) => runInventory(file, o.dir, i));
  const h2 = o.h2Packets > 0 ? await runH2(o, { log, repeat }) : null;

  const rows = [summarize('tcpdump (floor)', floor, truth), summarize('tshark', tshark, tsTruth),
    summarize('sensor -> file', sensorFile, truth)];
  if (sensorSat) rows.push(summarize('sensor -> satellite', sensorSat, truth));
  const inv = inventory ? summarize('inventory', inventory, truth) : null;
  if (inv) rows.push(inv);
  if (h2) rows.push(...h2.rows);
  print(`\ncapture: ${file}\n  ${truth.packets} packets, ${(truth.bytes / 1e6).toFixed(1)} MB, ${truth.connections} connections ` +
    `(${o.connections} open at a time, ${o.inflight > 0 ? o.inflight : 'all'} of them transferring), ${truth.requests} requests / ${truth.responses} responses (generator truth)` +
    (tsFile !== file ? `\n  tshark read ${tsFile} (${tsTruth.packets} packets): its rate is per packet of that file` : ''));
  print(`peak RSS and CPU (user + system) from ${HAS_GNU_TIME ? "/usr/bin/time -f '%M %U %S'" : '/proc/PID/status VmHWM polling (CPU not known)'}; medians of ${o.runs} runs\n`);
  printTable(rows, print);

  const [fl, ts, sf] = rows;
  const best = rows.slice(2).filter((r) => r.name.startsWith('sensor'));
  print('\nratios (packets/s):');
  for (const s of best) print(`  ${s.name.padEnd(20)} / floor = ${(s.pps / fl.pps * 100).toFixed(1)}%   / tshark = ${(s.pps / ts.pps).toFixed(1)}x`);
  if (inv) {
    print(`\ninventory / apidump to a file (sensor -> file): wall ${(inv.wallSec / sf.wallSec).toFixed(2)}, ` +
      `CPU ${inv.cpuSec == null ? '-' : (inv.cpuSec / sf.cpuSec).toFixed(2)}`);
  }
  if (h2) {
    const h = h2.rows[0];
    print(`h2c / HTTP/1 (sensor -> file): packets/s ${(h.pps / sf.pps).toFixed(2)}, exchanges/s ${((h.exchangesPerSec ?? 0) / (sf.exchangesPerSec ?? 1)).toFixed(2)}, ` +
      `MB/s ${(h.mbps / sf.mbps).toFixed(2)}` + (h2.rows[1] ? `; h2c sensor / h2c tshark (packets/s) ${(h.pps / h2.rows[1].pps).toFixed(1)}x` : ''));
  }
  print('\ntargets (docs/performance.md):');
  const targets = [
    ['sensor >= 25% of the read floor (packets/s)', sf.pps / fl.pps >= 0.25, `${(sf.pps / fl.pps * 100).toFixed(1)}%`],
    ['sensor >= 20x tshark (packets/s)', sf.pps / ts.pps >= 20, `${(sf.pps / ts.pps).toFixed(1)}x`],
    ['sensor peak RSS < 200 MiB', sf.peakRssMiB < 200, `${sf.peakRssMiB.toFixed(1)} MiB`],
  ];
  if (inv) targets.push(['inventory at most 20% longer than apidump to a file (wall)', inv.wallSec <= sf.wallSec * 1.2, 
    `${(inv.wallSec / sf.wallSec).toFixed(2)}x wall, ${inv.cpuSec == null ? '-' : (inv.cpuSec / sf.cpuSec).toFixed(2)}x CPU`]);
  for (const [what, met, v] of targets) print(`  ${met ? 'MET    ' : 'NOT MET'}  ${what}: ${v}`);

  print('\ncorrectness (counts on the same capture):');
  const tsRun = tshark[0];
  print(`  requests  on ${tsFile === file ? 'main' : 'tshark'} capture: truth ${tsTruth.requests}, tshark ${tsRun.requests}, sensor ${sensorOnTs.requests} -> ` +
    agreement({ a: tsTruth.requests, b: tsRun.requests, c: sensorOnTs.requests }));
  print(`  responses on ${tsFile === file ? 'main' : 'tshark'} capture: truth ${tsTruth.responses}, tshark ${tsRun.responses}, sensor (JSONL lines with a response) ${sensorOnTs.responses} -> ` +
    agreement({ a: tsTruth.responses, b: tsRun.responses, c: sensorOnTs.responses }) +
    (sensorOnTs.linesDropped ? ` (${sensorOnTs.linesDropped} lines dropped by export.jsonl backpressure)` : ''));
  for (const [i, r] of sensorFile.entries()) {
    print(`  sensor -> file run ${i + 1}: requests ${r.requests} (truth ${truth.requests}: ${agreement({ a: r.requests, b: truth.requests })}), ` +
      `exchanges ${r.exchanges}, lines written ${r.linesWritten}, with response ${r.responses}, dropped ${r.linesDropped}`);
  }
  for (const [i, r] of (inventory ?? []).entries()) {
    print(`  inventory run ${i + 1}: exchanges ${r.exchanges} (sensor -> file ${sensorFile[0].exchanges}: ${agreement({ a: r.exchanges, b: sensorFile[0].exchanges })})`);
  }
  if (h2) printH2Checks(h2, print);
  for (const [i, r] of (sensorSat ?? []).entries()) {
    print(`  sensor -> satellite run ${i + 1}: requests ${r.requests} (truth ${truth.requests}: ${agreement({ a: r.requests, b: truth.requests })}), ` +
      `exported ${r.stats['export.exported'] ?? '-'}, received by satellite ${r.received}, dropped (queue/outbox) ${r.dropped}; ` +
      `CPU s: sensor ${r.cpuSec?.toFixed(2) ?? '-'}, satellite ${r.satelliteCpuSec?.toFixed(2) ?? '-'} (in ${r.wallSec.toFixed(2)} s)`);
  }
  return { truth, tsTruth, rows, targets, tshark: tshark.map(({ requests, responses }) => ({ requests, responses })),
    sensorFile: sensorFile.map((r) => ({ ...r, stats: undefined, finalStats: r.stats })),
    sensorSat: sensorSat?.map((r) => ({ ...r, stats: undefined, finalStats: r.stats })), inventory,
    h2: h2 && { truth: h2.truth, tsTruth: h2.tsTruth, tshark: h2.tshark && { requests: h2.tshark.requests, responses: h2.tshark.responses },
      sensor: h2.sensor.map((r) => ({ ...r, stats: undefined, finalStats: r.stats })) } };
}

async function main() {
  const o = parseFlags(process.argv.slice(2), DEFAULTS);
  mkdirSync(o.dir, { recursive: true });
  const results = { started: new Date().toISOString(), options: o };
  if (o.scaling) results.scaling = await runScaling(o, { print, log });
  if (o.hostile) results.hostile = await runHostile(o, { print, log });
  if (!o.scaling && !o.hostile) results.throughput = await throughput(o);
  const file = `${o.dir}/results-${o.scaling ? 'scaling' : o.hostile ? 'hostile' : 'throughput'}.json`;
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  print(`\nfull results: ${file}`);
}

main().catch((err) => { process.stderr.write(`bench: ${err.stack ?? err}\n`); process.exitCode = 1; });
