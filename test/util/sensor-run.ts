/**
 * Runs the built sensor as a user would (bin/pcap-sensor, a child process) and reads its JSON Lines output.
 * Tests of the whole program use this, so the CLI, the composition root and every stage are exercised together.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SENSOR_BIN = join(REPO_ROOT, 'bin', 'pcap-sensor');
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

export interface SensorResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Parsed JSON Lines written to --out (empty when the run wrote none). */
  records: any[];
}

/** Runs `pcap-sensor <args>`; when `withOut` is set, adds `--out <tmp file>` and parses the lines written. */
export function runSensor(args: string[], opts: { withOut?: boolean; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<SensorResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pcs-run-'));
  const outFile = join(dir, 'out.jsonl');
  const fullArgs = opts.withOut ? [...args, '--out', outFile] : args;
  return new Promise((resolve, reject) => {
    const child = spawn(SENSOR_BIN, fullArgs, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnv(opts.env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      let records: any[] = [];
      if (opts.withOut && existsSync(outFile)) {
        records = readFileSync(outFile, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, stdout, stderr, records });
    });
  });
}
