/**
 * Helpers for the apidump configuration tests (apidump-usage*, apidump-config*): the sensor run as a process
 * (bin/pcap-sensor or bin/init) with no LEVO_* variable of the test runner, config files in a temporary
 * folder, the recorded fixtures' ground truth (fixtures/captures/NAME.expected.json, made by the real
 * servers and clients) and captures merged from two fixtures.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Test } from 'tap';
import { capture, type Expected } from './runtime-harness.js';
import { run, STACK_LINE, type Run } from '../util/sensor-run.js';
import { readPcapFile, recordTimeNs, writePcapFile } from '../util/pcap-file.js';
import { tempPath } from '../util/temp-path.js';

export { capture, expected, type Expected } from './runtime-harness.js';
export { INIT_BIN, STACK_LINE } from '../util/sensor-run.js';
export { tempPath } from '../util/temp-path.js';

/** Writes a YAML config file; returns its path. */
export function configFile(yaml: string): string {
  const p = tempPath('config.yaml');
  writeFileSync(p, yaml);
  return p;
}

/** The child's environment: every LEVO_* variable of the runner blanked (blank = unset), plus `extra`. */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const k of Object.keys(process.env)) if (k.startsWith('LEVO')) e[k] = '';
  return { ...e, ...extra };
}

/** `pcap-sensor apidump ARGS` (or `bin/init apidump ARGS`) to its end. */
export function apidump(args: string[], opts: { env?: Record<string, string>; bin?: string } = {}): Promise<Run> {
  return run(['apidump', ...args], { bin: opts.bin, env: isolatedEnv(opts.env) });
}

/** Runs `fn` over `items`, `width` at a time (short-lived processes in parallel, a few at once). */
export async function inBatches<T>(items: readonly T[], fn: (item: T) => Promise<void>, width = 4): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

/** A usage error: exit 2, nothing on stdout, exactly one line on stderr matching `re`, no stack trace. */
export function assertUsageError(t: Test, r: Run, re: RegExp, what = ''): void {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  t.equal(r.code, 2, `${what} exit status 2`);
  t.equal(r.stdout, '', `${what} nothing on stdout`);
  t.equal(lines.length, 1, `${what} one line on stderr: ${r.stderr}`);
  t.match(lines[0] ?? '', re, `${what} message`);
  t.notMatch(r.stderr, STACK_LINE, `${what} no stack trace`);
}

export interface Printed { configFile: string | null; config: Record<string, any>; source: Record<string, string> }

/** `apidump --pcap curl-variety --out - ARGS --print-config`, which must succeed. */
export async function printConfig(t: Test, args: string[], env: Record<string, string> = {}): Promise<Printed> {
  const r = await apidump(['--pcap', capture('curl-variety'), '--out', '-', ...args, '--print-config'], { env });
  t.equal(r.code, 0, `--print-config accepted ${args.join(' ')}: ${r.stderr}`);
  t.notMatch(r.stderr, STACK_LINE);
  return JSON.parse(r.stdout) as Printed;
}


/** Runs apidump on `pcap` with --out FILE and ARGS; returns the exit status, stderr and the JSON lines. */
export async function exchanges(pcap: string, args: string[], env: Record<string, string> = {}): Promise<Run & { records: any[] }> {
  const out = tempPath('out.jsonl');
  const r = await apidump(['--pcap', pcap, '--out', out, ...args], { env });
  let text = '';
  try { text = readFileSync(out, 'utf8'); } catch { /* no file: no records */ }
  return { ...r, records: text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)) };
}

/** "METHOD target status" per exchange, sorted: compares an output with ground truth as multisets. */
export function keysOfRecords(records: any[]): string[] {
  return records.map((r) => `${r.request.method} ${r.request.target} ${r.response?.status}`).sort();
}
export function keysOfExpected(list: Expected[]): string[] {
  return list.map((e) => `${e.method} ${e.target} ${e.status}`).sort();
}

/** Merges fixture captures packet by packet in time order (their connections are distinct); returns the path. */
export function mergedCapture(names: string[]): string {
  const files = names.map((n) => readPcapFile(capture(n)));
  const all = files.flatMap((f) => f.records.map((r) => ({ r, ns: recordTimeNs(f, r) })));
  all.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
  const p = tempPath(`${names.join('+')}.pcap`);
  writePcapFile(p, { linkType: files[0].linkType, nano: files[0].nano, records: all.map((x) => x.r) });
  return p;
}
