/**
 * Helpers for the inventory tests: `pcap-sensor inventory` run as a process, the recorded API capture and
 * its ground truth (fixtures/inventory/api.expected.json, from the fixture client's own log), apidump's
 * JSON Lines of it, and synthetic exchange records for the bounds tests.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { REPO_ROOT, run, type Run } from '../util/sensor-run.js';
import { tempPath } from '../util/temp-path.js';
import { readPcapFile, recordTimeNs } from '../util/pcap-file.js';
import { isolatedEnv } from '../cli/apidump-config-harness.js';
import { CALLS } from '../../fixtures/inventory/calls.mjs';
import { ROUTES } from '../../fixtures/inventory/routes.mjs';

export { assertUsageError, STACK_LINE } from '../cli/apidump-config-harness.js';
export { tempPath } from '../util/temp-path.js';

export const API_PCAP = join(REPO_ROOT, 'fixtures', 'inventory', 'api.pcap');

export interface ExpectedEndpoint { method: string; path: string; count: number; status: Record<string, number>; kind?: string }
export interface ExpectedApi { host: string; slow_ms: number; secrets: Record<string, string>; endpoints: ExpectedEndpoint[] }

export const API: ExpectedApi = JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures', 'inventory', 'api.expected.json'), 'utf8'));

/** Exchanges in the recording (the client's log). */
export const API_TOTAL = API.endpoints.reduce((n, e) => n + e.count, 0);

/** One call the recording's client made: fixtures/inventory/calls.mjs with its route (routes.mjs). */
export interface Call {
  method: string; template: string; kind?: string; target: string; path: string;
  headers: Record<string, string>; headerNames: string[]; body: Buffer | null;
}

/**
 * The calls of the recording, in order. The header names are those client.mjs gives plus what Node's client
 * adds: Host, Connection (keep-alive agent), and Content-Type and Content-Length with a JSON body.
 */
export const API_CALLS: Call[] = CALLS.map(([name, target, headers, json]) => {
  const route = ROUTES.find((r) => r.name === name)!;
  const body = json === undefined ? null : Buffer.from(JSON.stringify(json));
  const headerNames = [...Object.keys(headers), 'host', 'connection', ...(body ? ['content-type', 'content-length'] : [])].sort();
  return { method: route.method, template: route.template, kind: route.kind, target, path: target.split('?')[0]!, headers, headerNames, body };
});

/** Seconds of packet time from the first to the last frame of a capture. */
export function captureSpanSec(pcap: string): number {
  const f = readPcapFile(pcap);
  return Number(recordTimeNs(f, f.records.at(-1)!) - recordTimeNs(f, f.records[0]!)) / 1e9;
}

/** The calls of one endpoint (`METHOD template`). */
export function callsOf(key: string): Call[] {
  return API_CALLS.filter((c) => `${c.method} ${c.template}` === key);
}

/** `pcap-sensor inventory ARGS` to its end (no LEVO_* variable of the runner). */
export function inventory(args: string[]): Promise<Run> {
  return run(['inventory', ...args], { env: isolatedEnv() });
}

/** `inventory ARGS --format json` that must succeed; its parsed report. */
export async function report(t: Test, args: string[]): Promise<any> {
  const r = await inventory([...args, '--format', 'json']);
  t.equal(r.code, 0, `inventory ${args.join(' ')}: ${r.stderr}`);
  t.equal(r.stderr, '', 'nothing on stderr');
  return JSON.parse(r.stdout);
}

/** apidump's JSON Lines of `pcap` (rate limit off, as inventory reads packets); returns the file. */
export async function exchangesOf(pcap: string): Promise<string> {
  const out = tempPath('exchanges.jsonl');
  const r = await run(['apidump', '--pcap', pcap, '--out', out, '--rate-limit', '0', '--log-level', 'error'], { env: isolatedEnv() });
  if (r.code !== 0) throw new Error(`apidump failed: ${r.stderr}`);
  return out;
}

/** The endpoint keys of a report or of the ground truth: `METHOD path count {status}` sorted. */
export function endpointKeys(list: Array<{ method: string; path: string; count: number; status: Record<string, number> }>): string[] {
  return list.map((e) => `${e.method} ${e.path} ${e.count} ${JSON.stringify(e.status)}`).sort();
}

/** One exchange record in apidump's output format (docs/output.md), for synthetic inputs. */
export function record(method: string, target: string, opts: { host?: string; status?: number; startMs?: number; latencyMs?: number; headers?: Array<[string, string]>; json?: string } = {}): string {
  const body = { length: 0, truncated: false, base64: '', encoding: null };
  const text = opts.json === undefined ? null : Buffer.from(opts.json);
  const resBody = text === null ? body : { length: text.length, truncated: false, base64: text.toString('base64'), encoding: null };
  const resHeaders = text === null ? [] : [['Content-Type', 'application/json']];
  const start = BigInt(Math.round((opts.startMs ?? 1_700_000_000_000) * 1e6));
  const end = start + BigInt(Math.round((opts.latencyMs ?? 1) * 1e6));
  const q = target.indexOf('?');
  return JSON.stringify({
    request: { method, target, path: q < 0 ? target : target.slice(0, q), host: opts.host ?? 'api.test', version: '1.1', headers: opts.headers ?? [], body },
    response: { status: opts.status ?? 200, reason: 'OK', version: '1.1', headers: resHeaders, body: resBody, informational: [] },
    client: { ip: '10.0.0.2', port: 40000 }, server: { ip: '10.0.0.1', port: 80 },
    start_ns: start.toString(), end_ns: end.toString(), depth: 1, connection_id: 1, flags: [],
  });
}

/** Writes lines to a new JSON Lines file; returns its path. */
export function jsonl(lines: string[], name = 'synthetic.jsonl'): string {
  const p = tempPath(name);
  writeFileSync(p, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  return p;
}
