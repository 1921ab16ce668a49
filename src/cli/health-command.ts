/**
 * `pcap-sensor health [--port N] [--host H] [--timeout-ms T]`: the container health check. Asks the running
 * sensor's metrics server for /healthz and exits 0 when it answers 200, 1 otherwise (503 unhealthy, refused,
 * timed out), printing the answer or the reason on one line. The port defaults to $LEVO_METRICS_PORT so
 * that a container configured through the environment needs no flag:
 *   "healthCheck": { "command": ["CMD", "./bin/pcap-sensor", "health"], ... }
 */
import { request } from 'node:http';
import type { Argv } from 'yargs';
import { UsageError } from './apidump-flags.js';
import { envNameForFlag } from '../config/env-layer.js';
import { tcpPort } from '../config/values.js';

export interface HealthCheckResult {
  healthy: boolean;
  /** HTTP status, or null when no answer came. */
  status: number | null;
  /** Response body (at most 4 KiB kept) or the error. */
  detail: string;
}

/** Cap on the answer kept for printing. */
const MAX_BODY_BYTES = 4096;

export function checkHealth(host: string, port: number, timeoutMs: number): Promise<HealthCheckResult> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/healthz', method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { if (body.length < MAX_BODY_BYTES) body += c; });
      res.on('end', () => resolve({ healthy: res.statusCode === 200, status: res.statusCode ?? null, detail: body.slice(0, MAX_BODY_BYTES).trim() }));
      res.on('error', (err) => resolve({ healthy: false, status: null, detail: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ healthy: false, status: null, detail: err.message }));
    req.end();
  });
}

/** Registers `health`; the handler sets the exit code through `setExit`. */
export function registerHealthCommand<T>(yargs: Argv<T>, setExit: (code: number) => void, env: NodeJS.ProcessEnv = process.env): Argv<T> {
  const envPort = env[envNameForFlag('metrics-port')];
  const envHost = env[envNameForFlag('metrics-host')];
  return yargs.command(
    'health',
    'container health check: exit 0 when the running sensor reports healthy at /healthz, 1 otherwise',
    (y) => y.options({
      port: { type: 'string', describe: `metrics port of the running sensor (default: $${envNameForFlag('metrics-port')})` },
      host: { type: 'string', default: envHost && envHost !== '0.0.0.0' && envHost !== '::' ? envHost : '127.0.0.1', describe: 'address of the metrics server' },
      'timeout-ms': { type: 'number', default: 3000, describe: 'give up (unhealthy) after this many milliseconds' },
    }),
    async (args) => {
      const raw = args.port ?? (envPort !== undefined && envPort.trim() !== '' ? envPort : undefined);
      if (raw === undefined) throw new UsageError(`health: give --port N (or set ${envNameForFlag('metrics-port')})`);
      const port = tcpPort('health --port', raw, 1);
      const timeoutMs = Number(args['timeout-ms']);
      if (!(timeoutMs > 0)) throw new UsageError(`health --timeout-ms: expected a number > 0`);
      const r = await checkHealth(String(args.host), port, timeoutMs);
      // the exit status is the answer: a reader that closed standard output early (EPIPE) changes nothing
      // (src/cli/entry.ts ignores EPIPE on standard output for every command)
      process.stdout.write(`${r.healthy ? 'healthy' : 'unhealthy'}${r.status !== null ? ` (HTTP ${r.status})` : ''}: ${r.detail}\n`);
      setExit(r.healthy ? 0 : 1);
    },
  ) as Argv<T>;
}
