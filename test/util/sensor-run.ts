/**
 * The one way tests run the program as a user would: the built executable (bin/pcap-sensor, or bin/init, or
 * another copy of it) as a child process, its stdout and stderr collected as they arrive, its exit status.
 * - `startSensor` starts it and returns a Proc to watch (wait for a line or a log record, send a signal);
 * - `run` runs it to its end; `runPipedToHead` runs it behind `| head -n N`;
 * - `runSensor` runs it with `--out <temp file>` (optional) and parses the JSON Lines written there.
 * The child's environment is the test's without the test runner's loader hooks (`childEnv`), or exactly the one
 * given (`inheritEnv: false`, for tests that must not see the caller's AWS_* or LEVO_* variables).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SENSOR_BIN = join(REPO_ROOT, 'bin', 'pcap-sensor');
/** The documented container entrypoint (`./bin/init apidump ...`). */
export const INIT_BIN = join(REPO_ROOT, 'bin', 'init');
/** Lines that only a stack trace has ("    at fn (file:1:2)"): a user-facing error must show none. */
export const STACK_LINE = /^\s+at .+/m;

/** The environment of a child sensor: the test's, without the test runner's loader hooks. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  env.PCAP_SENSOR_NODE ??= process.execPath; // bin/pcap-sensor runs the same node as the tests
  for (const k of Object.keys(env)) if (k.startsWith('TAP') || k.startsWith('_TAPJS')) delete env[k];
  return env;
}

/** Single-quotes one word for sh (a command line given to `bash -c` or `script -c`). */
export function shellWord(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface Exit { code: number | null; signal: NodeJS.Signals | null }

/** What a finished run shows: exit status and both outputs (`run` returns one). */
export interface Run { code: number | null; stdout: string; stderr: string }

/** A running child: its output so far, a way to wait for a line, and its exit. */
export class Proc {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (c: Buffer) => { this.stdout += c.toString(); this.notify(); });
    child.stderr?.on('data', (c: Buffer) => { this.stderr += c.toString(); this.notify(); });
    this.exited = new Promise((resolve, reject) => {
      child.on('error', reject); // the executable could not be started
      child.on('close', (code, signal) => { this.notify(); resolve({ code, signal }); });
    });
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when `test(this)` holds; rejects after `timeoutMs` (generous: a busy machine is slow, not wrong). */
  async until(test: (p: Proc) => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; stderr so far:\n${this.stderr.slice(-3000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** The JSON log lines (pino) on stderr. */
  logs(): Array<Record<string, any>> {
    const out: Array<Record<string, any>> = [];
    for (const l of this.stderr.split('\n')) {
      if (!l.startsWith('{')) continue;
      try { out.push(JSON.parse(l)); } catch { /* a line still being written */ }
    }
    return out;
  }

  log(msg: string | RegExp): Record<string, any> | undefined {
    return this.logs().find((l) => (typeof msg === 'string' ? l.msg === msg : msg.test(String(l.msg))));
  }

  /** Sends `signal` unless the child has exited. */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

export interface StartOptions {
  /** The executable: SENSOR_BIN (default), INIT_BIN, or a path to another copy. */
  bin?: string;
  /** Added to the test's environment (childEnv), or the whole environment with `inheritEnv: false`. */
  env?: NodeJS.ProcessEnv;
  inheritEnv?: boolean;
  /** SIGKILL after this long (default 120 s: generous, a busy machine is slow, not wrong). */
  killAfterMs?: number;
}

/** Starts `bin ARGS` with stdin at /dev/null; killed with SIGKILL after `killAfterMs`. */
export function startSensor(args: readonly string[], opts: StartOptions = {}): Proc {
  const env = opts.inheritEnv === false ? opts.env : childEnv(opts.env);
  const child = spawn(opts.bin ?? SENSOR_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const p = new Proc(child);
  const timer = setTimeout(() => p.kill('SIGKILL'), opts.killAfterMs ?? 120_000);
  void p.exited.then(() => clearTimeout(timer), () => clearTimeout(timer));
  return p;
}

/** Runs a command to its end. */
export async function run(args: readonly string[], opts: StartOptions = {}): Promise<Proc & Exit> {
  const p = startSensor(args, opts);
  const exit = await p.exited;
  return Object.assign(p, exit);
}

/** A shell pipeline `pcap-sensor ARGS | head -N`; the status is the sensor's (bash PIPESTATUS). */
export async function runPipedToHead(args: readonly string[], lines: number): Promise<Proc & Exit> {
  const script = `"$@" | head -n ${lines}; exit "\${PIPESTATUS[0]}"`;
  const child = spawn('bash', ['-c', script, 'bash', SENSOR_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  const p = new Proc(child);
  return Object.assign(p, await p.exited);
}

/**
 * The counters of a run's closing `final stats` log line (`{"msg":"final stats","stats":{...}}`, a JSON line
 * on stderr, or on stdout when the log goes there), or null when the run logged none.
 */
export function finalStats(res: { stdout: string; stderr: string }): Record<string, number> | null {
  for (const l of (res.stdout + '\n' + res.stderr).split('\n')) {
    if (!l.startsWith('{') || !l.includes('"final stats"')) continue;
    try {
      const o = JSON.parse(l);
      if (o.msg === 'final stats') return o.stats ?? {};
    } catch { /* not a log line */ }
  }
  return null;
}

export interface SensorResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Parsed JSON Lines written to --out (empty when the run wrote none). */
  records: any[];
}

/** Runs `pcap-sensor <args>`; when `withOut` is set, adds `--out <tmp file>` and parses the lines written. */
export async function runSensor(args: string[], opts: { withOut?: boolean; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<SensorResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pcs-run-'));
  const outFile = join(dir, 'out.jsonl');
  try {
    const r = await run(opts.withOut ? [...args, '--out', outFile] : args, { env: opts.env, killAfterMs: opts.timeoutMs ?? 60_000 });
    const records = opts.withOut && existsSync(outFile)
      ? readFileSync(outFile, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l))
      : [];
    return { code: r.code, stdout: r.stdout, stderr: r.stderr, records };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
