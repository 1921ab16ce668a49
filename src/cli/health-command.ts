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
import { withSource } from '../config/usage-error.js';
import { envNameForFlag } from '../config/env-layer.js';
import { nonEmpty, positiveNumber, tcpPort } from '../config/values.js';
import { valueFlag } from '../config/flag-options.js';

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

/** --port as typed: 1-65535. */
const port = (v: unknown): number => tcpPort('--port', v, 1);

/**
 * The flags of `health`. The default --host follows LEVO_METRICS_HOST (trimmed) unless that is a wildcard address;
 * a blank variable counts as unset, as every LEVO_* variable does (docs/configuration.md).
 */
export function healthOptions(env: NodeJS.ProcessEnv) {
  const envHost = env[envNameForFlag('metrics-host')]?.trim() ?? '';
  return {
    port: { ...valueFlag(port), describe: `metrics port of the running sensor (default: $${envNameForFlag('metrics-port')})` },
    host: { ...valueFlag(nonEmpty('host', 'an address')), default: envHost !== '' && envHost !== '0.0.0.0' && envHost !== '::' ? envHost : '127.0.0.1', describe: 'address of the metrics server' },
    'timeout-ms': { ...valueFlag(positiveNumber('timeout-ms')), default: 3000, describe: 'give up (unhealthy) after this many milliseconds' },
  } as const;
}

/** --port, else $LEVO_METRICS_PORT (a refusal of the variable's value names it). */
function portFrom(flag: number | undefined, env: NodeJS.ProcessEnv): number {
  if (flag !== undefined) return flag;
  const name = envNameForFlag('metrics-port');
  const v = env[name];
  if (v === undefined || v.trim() === '') throw new UsageError(`--port: give the metrics port of the running sensor, or set ${name}`);
  return withSource(`set by ${name}`, () => port(v));
}

/** Registers `health`; the handler sets the exit code through `setExit`. */
export function registerHealthCommand<T>(yargs: Argv<T>, setExit: (code: number) => void, env: NodeJS.ProcessEnv = process.env): Argv<T> {
  return yargs.command(
    'health',
    'container health check: exit 0 when the running sensor reports healthy at /healthz, 1 otherwise',
    (y) => y.options(healthOptions(env)),
    async (args) => {
      const a = args as unknown as { port?: number; host: string; 'timeout-ms': number }; // as the parsers return them
      const r = await checkHealth(a.host, portFrom(a.port, env), a['timeout-ms']);
      // the exit status is the answer: a reader that closed standard output early (EPIPE) changes nothing
      // (src/cli/entry.ts ignores EPIPE on standard output for every command)
      process.stdout.write(`${r.healthy ? 'healthy' : 'unhealthy'}${r.status !== null ? ` (HTTP ${r.status})` : ''}: ${r.detail}\n`);
      setExit(r.healthy ? 0 : 1);
    },
  ) as Argv<T>;
}
