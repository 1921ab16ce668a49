// Runs one command as a whole child process and measures its wall time and peak RSS.
// Peak RSS comes from GNU time (`/usr/bin/time -f %M`, KiB) when it is installed; otherwise /proc/PID/status
// VmHWM is polled every 20 ms while the child runs (a lower bound: a peak in the last 20 ms can be missed).
// The child's stdout and stderr go to files (never held in memory: tools may print gigabytes).
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';

const GNU_TIME = '/usr/bin/time';
export const HAS_GNU_TIME = existsSync(GNU_TIME);

/**
 * @param {string} cmd @param {string[]} args
 * @param {{stdout: string, stderr: string, cwd?: string}} io  files for the child's output
 * @returns {Promise<{wallSec:number, peakRssBytes:number, code:number|null}>}
 */
export function runMeasured(cmd, args, io) {
  const rssFile = `${io.stderr}.rss`;
  const out = openSync(io.stdout, 'w');
  const err = openSync(io.stderr, 'w');
  const argv = HAS_GNU_TIME ? ['-f', '%M', '-o', rssFile, cmd, ...args] : args;
  const started = process.hrtime.bigint();
  const child = spawn(HAS_GNU_TIME ? GNU_TIME : cmd, argv, { cwd: io.cwd, stdio: ['ignore', out, err] });
  let polled = 0;
  const poll = HAS_GNU_TIME ? null : setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) polled = Math.max(polled, Number(m[1]) * 1024);
    } catch { /* the child has exited */ }
  }, 20);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallSec = Number(process.hrtime.bigint() - started) / 1e9;
      if (poll) clearInterval(poll);
      closeSync(out); closeSync(err);
      let peakRssBytes = polled;
      if (HAS_GNU_TIME) {
        const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
        peakRssBytes = Number(lines[lines.length - 1]) * 1024;
        rmSync(rssFile, { force: true });
      }
      resolve({ wallSec, peakRssBytes, code });
    });
  });
}

/** Median of numbers (mean of the two middle values for an even count). */
export function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
