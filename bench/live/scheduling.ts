/**
 * Scheduling of the processes bench/live/replay-bench.ts starts: a core (taskset) and a priority that
 * holds against the rest of the machine.
 *
 * Why not plain `nice`: with autogroup scheduling (/proc/sys/kernel/sched_autogroup_enabled = 1, the
 * case on the benchmark machine) the scheduler first shares a core between sessions, and nice only
 * orders the threads inside one session. A `nice -n -20` tcpreplay still got one session's share of
 * its core next to two busy sessions of other users, and offered 190-225k pkt/s instead of 250k.
 * So the prefix starts the process in a session of its own (`setsid`) and sets that session's nice
 * (`/proc/self/autogroup`) as well as the process's; without autogroup the write is ignored.
 *
 * Every element of the prefix execs the next (setsid without a fork: the spawned child is never a
 * process-group leader; sh `exec`; nice; taskset), so the pid of the spawned process is the pid of
 * the benchmarked one and /proc/<pid>/stat measures it.
 */
import { readFileSync } from 'node:fs';

/**
 * Command prefix that runs a command on `core` (undefined: any) at `nice` (undefined: unchanged;
 * -20..19, root needed below 0), in its own session when a nice is given.
 */
export function schedulingPrefix(nice: number | undefined, core: string | undefined): string[] {
  const pin = core !== undefined ? ['taskset', '-c', core] : [];
  if (nice === undefined) return pin;
  // a kernel without CONFIG_SCHED_AUTOGROUP has no such file: the write fails silently, exec goes on
  return ['setsid', 'sh', '-c', '{ echo "$0" > /proc/self/autogroup; } 2>/dev/null; exec "$@"', String(nice),
    'nice', '-n', String(nice), ...pin];
}

/**
 * Seconds the main thread of `pid` has run and has waited runnable for a core (run-queue delay),
 * from /proc/<pid>/schedstat (nanoseconds). Wait time over a measurement is time the capturer wanted
 * its core and something else had it.
 */
export function schedStat(pid: number): { runSec: number; waitSec: number } {
  const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
  return { runSec: run / 1e9, waitSec: wait / 1e9 };
}
