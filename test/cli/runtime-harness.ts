/**
 * What the runtime tests (test/cli/runtime-*, satellite-*, health-*) run the sensor against: the recorded
 * captures and what their clients did, small HTTP servers on 127.0.0.1 standing in for a satellite (recording,
 * failing, or never answering) or an application, and a free port. The sensor itself runs through
 * test/util/sensor-run.ts.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '../util/sensor-run.js';

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
