/**
 * Headless Chromium (Debian's `chromium`) for the HTML report tests: started once per test file with its own
 * profile directory and a DevTools port, and ended by its process group id with the directory removed.
 * `page(url, steps)` runs test/inventory/page-driver.mjs against it (see there for the steps and the result).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { REPO_ROOT } from '../util/sensor-run.js';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

const DRIVER = join(REPO_ROOT, 'test', 'inventory', 'page-driver.mjs');

export type Step = { eval: string } | { waitFor: string; timeoutMs?: number } | { signal: string };
export interface PageResult { results: any[]; requests: string[]; consoleErrors: string[]; exceptions: string[] }

export interface Browser {
  /** Runs `steps` on `url`; `onSignal(name)` is called when a `signal` step is reached. */
  page(url: string, steps: Step[], onSignal?: (name: string) => void): Promise<PageResult>;
}

/** Starts Chromium for the test `t`; stopped (process group, by id) and its profile removed at teardown. */
export async function startBrowser(t: Test): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'pcs-chromium-'));
  const child = spawn(CHROMIUM, ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--remote-debugging-port=0',
    `--user-data-dir=${profile}`, 'about:blank'], { stdio: 'ignore', detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => {
    try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await exited;
    clearTimeout(timer);
    rmSync(profile, { recursive: true, force: true });
  });
  const portFile = join(profile, 'DevToolsActivePort');
  for (let i = 0; i < 600 && !existsSync(portFile); i++) await new Promise((r) => setTimeout(r, 100));
  const port = readFileSync(portFile, 'utf8').split('\n')[0]!;
  return {
    async page(url, steps, onSignal) {
      const stepsFile = join(profile, `steps-${Date.now()}-${Math.random()}.json`);
      writeFileSync(stepsFile, JSON.stringify(steps));
      const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, ['--experimental-websocket', DRIVER, port, url, stepsFile], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
        c.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          for (const m of String(d).matchAll(/^page-driver: (\S+)$/gm)) onSignal?.(m[1]!);
        });
        c.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      if (r.code !== 0) throw new Error(`page driver failed (${r.code}): ${r.stderr}`);
      return JSON.parse(r.stdout) as PageResult;
    },
  };
}

