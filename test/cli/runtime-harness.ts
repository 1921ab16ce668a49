/**
 * Process-level helpers for the runtime tests (test/cli/runtime-*, satellite-*, health-*): the sensor run as a
 * child process (bin/pcap-sensor or bin/init) whose stdout and stderr are watched as they arrive, and small
 * HTTP servers on 127.0.0.1 standing in for a satellite (recording, failing, or never answering).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import { childEnv, REPO_ROOT, SENSOR_BIN } from '../util/sensor-run.js';

export const INIT_BIN = join(REPO_ROOT, 'bin', 'init');
export const CAPTURES = join(REPO_ROOT, 'fixtures', 'captures');

/** One exchange of NAME.expected.json: what the recording client and server did (ground truth). */
export interface Expected {
  client_port: number; server_port: number; method: string; target: string; host: string | null;
  request_body_length: number; status: number; response_body_length: number;
}

export function expected(name: string): Expected[] {
  return (JSON.parse(readFileSync(join(CAPTURES, `${name}.expected.json`), 'utf8')) as { exchanges: Expected[] }).exchanges;
}

/** Exchanges the recording clients made in fixtures/captures/NAME.pcap. */
export function expectedExchanges(name: string): number {
  return expected(name).length;
}

export function capture(name: string): string {
  return join(CAPTURES, `${name}.pcap`);
}

export { STACK_LINE } from '../util/sensor-run.js';

export interface Exit { code: number | null; signal: NodeJS.Signals | null }

/** A running child: its output so far, a way to wait for a line, and its exit. */
export class Proc {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (c: Buffer) => { this.stdout += c.toString(); this.notify(); });
    child.stderr?.on('data', (c: Buffer) => { this.stderr += c.toString(); this.notify(); });
    this.exited = new Promise((resolve) => child.on('close', (code, signal) => { this.notify(); resolve({ code, signal }); }));
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

/** Starts `bin/pcap-sensor ARGS` (or `bin/init` with `bin: INIT_BIN`); killed with SIGKILL after `killAfterMs`. */
export function startSensor(args: string[], opts: { bin?: string; env?: NodeJS.ProcessEnv; killAfterMs?: number } = {}): Proc {
  const child = spawn(opts.bin ?? SENSOR_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(opts.env) });
  const p = new Proc(child);
  const timer = setTimeout(() => p.kill('SIGKILL'), opts.killAfterMs ?? 120_000);
  void p.exited.then(() => clearTimeout(timer));
  return p;
}

/** Runs a command to its end. */
export async function run(args: string[], opts: { bin?: string; env?: NodeJS.ProcessEnv; killAfterMs?: number } = {}): Promise<Proc & Exit> {
  const p = startSensor(args, opts);
  const exit = await p.exited;
  return Object.assign(p, exit);
}

/** A shell pipeline `pcap-sensor ARGS | head -N`; the status is the sensor's (bash PIPESTATUS). */
export async function runPipedToHead(args: string[], lines: number): Promise<Proc & Exit> {
  const script = `"$@" | head -n ${lines}; exit "\${PIPESTATUS[0]}"`;
  const child = spawn('bash', ['-c', script, 'bash', SENSOR_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  const p = new Proc(child);
  return Object.assign(p, await p.exited);
}

/** A TCP port free on 127.0.0.1 at the time of the call. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface ReceivedPost {
  /** The status it was answered with. */
  status: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/**
 * A satellite stand-in on 127.0.0.1: records every POST (JSON body parsed) and answers `status` (changeable
 * at run time). With `tls`, https.
 */
export class RecordingSatellite {
  readonly posts: ReceivedPost[] = [];
  status = 200;
  private server!: http.Server;
  port = 0;

  static async start(opts: { status?: number; tls?: { key: Buffer; cert: Buffer } } = {}): Promise<RecordingSatellite> {
    const s = new RecordingSatellite();
    s.status = opts.status ?? 200;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body: unknown;
        try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { body = null; }
        s.posts.push({ status: s.status, path: req.url ?? '', headers: req.headers, body });
        res.writeHead(s.status, { 'content-type': 'application/json' }).end('{}');
      });
    };
    s.server = opts.tls ? https.createServer(opts.tls, handler) : http.createServer(handler);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.port = (s.server.address() as net.AddressInfo).port;
    return s;
  }

  url(scheme = 'http'): string {
    return `${scheme}://127.0.0.1:${this.port}`;
  }

  /** Traces received in accepted (2xx) requests, either format: levo arrays or OTLP spans. */
  traces(): any[] {
    const out: any[] = [];
    for (const p of this.posts) {
      if (p.status < 200 || p.status > 299) continue;
      if (Array.isArray(p.body)) out.push(...p.body);
      else for (const rs of p.body?.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) out.push(...(ss.spans ?? []));
    }
    return out;
  }

  close(): Promise<void> {
    return new Promise((resolve) => { this.server.close(() => resolve()); this.server.closeAllConnections(); });
  }
}

/** A satellite that accepts connections and reads requests but never answers. */
export class SilentSatellite {
  /** Request bytes received, and connections the client closed. */
  bytes = 0;
  closedByClient = 0;
  private readonly sockets = new Set<net.Socket>();
  private server!: net.Server;
  port = 0;

  static async start(): Promise<SilentSatellite> {
    const s = new SilentSatellite();
    s.server = net.createServer((c) => {
      s.sockets.add(c);
      c.on('data', (d: Buffer) => { s.bytes += d.length; });
      c.on('end', () => { s.closedByClient++; });
      c.on('error', () => {});
      c.on('close', () => s.sockets.delete(c));
    });
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.port = (s.server.address() as net.AddressInfo).port;
    return s;
  }

  close(): Promise<void> {
    for (const c of this.sockets) c.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** An HTTP application on 127.0.0.1 for live capture on lo: answers every request with a small JSON body. */
export async function startApp(): Promise<{ port: number; get: (path: string) => Promise<number>; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const agent = new http.Agent({ keepAlive: false });
  const get = (path: string): Promise<number> => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); })
      .on('error', reject);
  });
  return { port, get, close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }) };
}

/** GET a URL on 127.0.0.1: status and body. */
export async function fetchText(url: string): Promise<{ status: number; text: string }> {
  const r = await fetch(url);
  return { status: r.status, text: await r.text() };
}

/** Live capture needs root (CAP_NET_RAW) and the loopback interface. */
export const canCaptureLive = process.getuid?.() === 0;
