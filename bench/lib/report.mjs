// Summaries and printed tables for the benchmark (medians over runs).
import { median } from './measure.mjs';

const MiB = 1024 * 1024;

/**
 * @param {string} name
 * @param {Array<{wallSec:number, peakRssBytes:number, cpuSec?:number|null, exchanges?:number|null, requests?:number|null}>} runs
 * @param {{packets:number, bytes:number}} capture  the file the command read
 */
export function summarize(name, runs, capture) {
  const wall = median(runs.map((r) => r.wallSec));
  const exchanges = runs[0].exchanges ?? runs[0].requests ?? null;
  return {
    name, runs: runs.length, wallSec: wall, packets: capture.packets,
    pps: capture.packets / wall, mbps: capture.bytes / 1e6 / wall,
    exchangesPerSec: exchanges == null ? null : exchanges / wall,
    peakRssMiB: median(runs.map((r) => r.peakRssBytes)) / MiB,
    cpuSec: runs.every((r) => r.cpuSec != null) ? median(runs.map((r) => r.cpuSec)) : null,
    walls: runs.map((r) => Number(r.wallSec.toFixed(2))),
  };
}

const pad = (s, n) => String(s).padStart(n);
const fmt = (v, d = 0) => (v == null ? '-' : Number(v).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));

export function printTable(rows, print) {
  print(`${'command'.padEnd(18)}${pad('packets', 10)}${pad('wall s', 9)}${pad('CPU s', 8)}${pad('packets/s', 12)}${pad('MB/s', 9)}${pad('exch/s', 10)}${pad('peak RSS MiB', 14)}  runs (s)`);
  for (const r of rows) {
    print(`${r.name.padEnd(18)}${pad(r.packets, 10)}${pad(fmt(r.wallSec, 2), 9)}${pad(fmt(r.cpuSec, 2), 8)}${pad(fmt(r.pps), 12)}${pad(fmt(r.mbps, 1), 9)}` +
      `${pad(fmt(r.exchangesPerSec), 10)}${pad(fmt(r.peakRssMiB, 1), 14)}  ${r.walls.join(' ')}`);
  }
}

/** "agree" when every non-null value equals the first non-null one. */
export function agreement(values) {
  const known = Object.values(values).filter((v) => v != null);
  return known.length > 1 && known.every((v) => v === known[0]) ? 'agree' : 'disagree';
}
