// Process-level harness for the `ecs` commands: runs bin/pcap-sensor (or bin/init) as a child process
// (test/util/sensor-run.ts) against the fake ECS endpoint (hidden --endpoint-url), with a temporary HOME holding
// ~/.aws/credentials and ~/.aws/config, and an environment without the caller's AWS_* variables. `runOnTerminal`
// gives the program a pseudo-terminal (util-linux `script`) and answers its questions when their text appears.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, SENSOR_BIN, shellWord, type Run } from '../util/sensor-run.js';
import { startHarness, type Harness } from './harness.js';

/** Generous: the machine is shared and each run loads the AWS SDK. */
const RUN_TIMEOUT_MS = 90_000;

/**
 * Environment of a run: PATH, HOME and the tests' node only, plus `extra` (no AWS_* or LEVO_* of the caller, and
 * no test-runner loader hooks, leak in).
 */
export function cliEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', PCAP_SENSOR_NODE: process.execPath, ...extra };
}

/** Runs the executable (`bin`: SENSOR_BIN, INIT_BIN or another copy) in exactly `env`, with no terminal. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, bin = SENSOR_BIN): Promise<Run> {
  return run(args, { bin, env, inheritEnv: false, killAfterMs: RUN_TIMEOUT_MS });
}

export interface Answer { when: RegExp; send: string }

/**
 * Runs the executable on a pseudo-terminal (stdin, stdout and stderr all the terminal, so output is one stream).
 * Each answer is typed once, in order, when its `when` matches the output after the previous answer.
 */
export function runOnTerminal(args: readonly string[], env: NodeJS.ProcessEnv, answers: readonly Answer[] = []): Promise<{ code: number | null; output: string }> {
  const command = [SENSOR_BIN, ...args].map(shellWord).join(' ');
  return new Promise((resolvePromise, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...env, TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let from = 0;
    let next = 0;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      const answer = answers[next];
      if (answer && answer.when.test(output.slice(from))) {
        next++;
        from = output.length;
        child.stdin.write(answer.send);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { output += d; });
    const timer = setTimeout(() => { if (child.pid) process.kill(child.pid, 'SIGKILL'); }, RUN_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); child.stdin.destroy(); resolvePromise({ code, output }); });
  });
}

export interface ProcessHarness extends Harness {
  /** A HOME whose ~/.aws holds the harness's credentials (profiles default, no-regions, no-update) and config. */
  home: string;
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** `ecs <args> --endpoint-url <fake> --poll-interval 0.05` (fast polls of the fake rollout). */
  ecsArgs(...args: string[]): string[];
  run(...args: string[]): Promise<Run>;
}

/** The fake endpoint (seeded as in harness.ts) and a temporary HOME; both removed at teardown. */
export async function startProcessHarness(t: { teardown(fn: () => unknown): void }): Promise<ProcessHarness> {
  const h = await startHarness(t);
  const home = mkdtempSync(join(tmpdir(), 'ecs-home-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(join(home, '.aws'));
  copyFileSync(h.files.credentialsFile, join(home, '.aws', 'credentials'));
  copyFileSync(h.files.configFile, join(home, '.aws', 'config'));
  const ph: ProcessHarness = Object.assign(h, {
    home,
    env: (extra: Record<string, string> = {}) => cliEnv(home, extra),
    ecsArgs: (...args: string[]) => ['ecs', ...args, '--endpoint-url', h.endpoint, '--poll-interval', '0.05'],
    run: (...args: string[]) => runCli(ph.ecsArgs(...args), ph.env()),
  });
  return ph;
}

/** IAM actions that change AWS resources; a dry run or a refusal must call none. */
export const MUTATING_ACTIONS = ['ecs:RegisterTaskDefinition', 'ecs:UpdateService', 'ecs:TagResource', 'ecs:UntagResource'];

/** Actions of the mutating calls the fake received (denied or not). */
export function mutatingCalls(h: Harness): string[] {
  return h.fake.calls.filter((c) => MUTATING_ACTIONS.includes(c.action)).map((c) => c.action);
}

