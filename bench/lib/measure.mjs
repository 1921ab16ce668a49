// Runs one command as a whole child process and measures its wall time, peak RSS and CPU time.
// Peak RSS and CPU come from GNU time (`/usr/bin/time -f '%M %U %S'`: KiB, user and system seconds) when it is
// installed; otherwise /proc/PID/status VmHWM is polled every 20 ms while the child runs (a lower bound: a
// peak in the last 20 ms can be missed) and the CPU time is not known (null).
// The child's stdout and stderr go to files (never held in memory: tools may print gigabytes).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';

const GNU_TIME = '/usr/bin/time';
export const HAS_GNU_TIME = existsSync(GNU_TIME);

/**
 * @param {string} cmd @param {string[]} args
 * @param {{stdout: string, stderr: string, cwd?: string}} io  files for the child's output
 * @returns {Promise<{wallSec:number, peakRssBytes:number, cpuSec:number|null, code:number|null}>}
 */
export function runMeasured(cmd, args, io) {
  const rssFile = `${io.stderr}.rss`;
  const out = openSync(io.stdout, 'w');
  const err = openSync(io.stderr, 'w');
  const argv = HAS_GNU_TIME ? ['-f', '%M %U %S', '-o', rssFile, cmd, ...args] : args;
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
      let cpuSec = null;
      if (HAS_GNU_TIME) {
        const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
        const [kib, user, sys] = lines[lines.length - 1].split(' ').map(Number);
        peakRssBytes = kib * 1024;
        cpuSec = user + sys;
        rmSync(rssFile, { force: true });
      }
      resolve({ wallSec, peakRssBytes, cpuSec, code });
    });
  });
}

/** Clock ticks per second of /proc/PID/stat times (`getconf CLK_TCK`; 100 on Linux). */
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU seconds (user + system) a running process has used so far, from /proc/PID/stat; null if unreadable. */
export function processCpuSec(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime (fields 14 and 15)
  } catch {
    return null;
  }
}

/** Median of numbers (mean of the two middle values for an even count). */
export function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
