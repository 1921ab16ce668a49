/**
 * The metrics server (--metrics-port): GET /metrics answers Prometheus text of every counter (refreshed
 * at each scrape), GET /healthz answers 200 `ok` or 503 with the reasons, one per line. Anything else: 404
 * (405 for another method). Request bodies are not read. Caps: 16 concurrent connections
 * (server.maxConnections), 5 s to receive the request head; keep-alive connections are closed by close().
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatPrometheus, PROMETHEUS_CONTENT_TYPE } from './prometheus.js';
import type { HealthStatus } from './health-monitor.js';

export interface MetricsServerOptions {
  host: string;
  /** 0 = any free port (tests). */
  port: number;
  /** Returns the up-to-date counters snapshot. */
  snapshot: () => Record<string, number>;
  health: () => HealthStatus;
}

export interface MetricsServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const MAX_CONNECTIONS = 16;
const HEAD_TIMEOUT_MS = 5000;

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' && path !== '/healthz') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end('method not allowed\n');
      return;
    }
    try {
      const status = opts.health();
      if (path === '/healthz') {
        res.writeHead(status.healthy ? 200 : 503, { 'content-type': 'text/plain' });
        res.end(status.healthy ? 'ok\n' : `${status.reasons.join('\n')}\n`);
      } else {
        res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
        res.end(formatPrometheus(opts.snapshot(), status.healthy));
      }
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`error: ${(err as Error).message}\n`);
    }
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.headersTimeout = HEAD_TIMEOUT_MS;
  server.requestTimeout = HEAD_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve(); });
  });
  server.unref();
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    port,
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
