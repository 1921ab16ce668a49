/**
 * The embedded satellite: a small HTTP(S) server that receives what the sensor exports, for local
 * runs (`bin/pcap-sensor satellite --port N --out FILE`) and tests.
 *
 *   POST /v1/traces        OTLP/HTTP. application/json: one output line per span. Protobuf
 *                          (application/x-protobuf) is accepted and counted only (not decoded).
 *   POST /1.0/ebpf/traces  satellite JSON: one trace object or an array; one output line per trace.
 *
 * Output lines (JSON Lines on `out`):
 *   {"format":"otlp","org_id":..,"resource":{..},"scope":{..},"span":{.., "attributes":{..}}}
 *   {"format":"levo","org_id":..,"trace":{..}}
 * org_id is the x-levo-organization-id header (null when absent). In levo traces, duration_ns and
 * request_time_ns are written as decimal strings: they exceed 2^53 and would lose precision as doubles.
 * A one-line summary per request goes to `log`. `failNext(n)` makes the next n POSTs answer an error
 * status (503 by default) without recording anything, for retry tests.
 * Request bodies are capped at maxBodyBytes (default 64 MiB): larger ones get 413.
 * Every received exchange also feeds the live catalog (catalog.ts): GET /, /api/inventory, /openapi.json.
 *
 * Start-up failures reject before anything listens, with one-line messages: an `out` path that cannot be
 * written (OutputOpenError naming --out), an address that cannot be listened on (SatelliteListenError:
 * in use, not local, not permitted). At run time, an `out` that fails (standard output closed by its
 * reader, a full disk) is reported once through `log`; records are no longer written, requests are still
 * answered and counted.
 */
import { closeSync, createWriteStream, openSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { otlpSpanRecords } from './otlp-json.js';
import { Catalog } from './catalog.js';
import { errnoReason, outputOpenError } from '../export/open-error.js';

export class SatelliteListenError extends Error {
  override name = 'SatelliteListenError';
}


export interface SatelliteOptions {
  port: number;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** File path ("-" = stdout), a Writable, or null for no output file. */
  out: string | Writable | null;
  /** Receives each one-line summary; default writes to stderr. */
  log?: (line: string) => void;
  /** Called with every output record (tests). */
  onRecord?: (record: Record<string, unknown>) => void;
  /** Serve https with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  maxBodyBytes?: number;
}

export interface SatelliteStats {
  requests: number;
  otlpSpans: number;
  levoTraces: number;
  protobufRequests: number;
  protobufBytes: number;
  injectedFailures: number;
  badRequests: number;
}

export interface Satellite {
  readonly port: number;
  /** Base URL to give the sensor as --satellite-url. */
  readonly url: string;
  readonly stats: SatelliteStats;
  /** Why writing records to `out` failed (null while it works); EPIPE when standard output's reader went away. */
  readonly outError: NodeJS.ErrnoException | null;
  /** The next `n` POSTs answer `status`, with Retry-After when `retryAfterSec` is given. */
  failNext(n: number, status?: number, retryAfterSec?: number): void;
  close(): Promise<void>;
}

const BIG_INT_FIELD_RE = /"(duration_ns|request_time_ns)"\s*:\s*(-?\d+)/g;

export async function startSatellite(opts: SatelliteOptions): Promise<Satellite> {
  const host = opts.host ?? '127.0.0.1';
  const maxBody = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const log = opts.log ?? ((line: string) => { process.stderr.write(line + '\n'); });
  const stats: SatelliteStats = {
    requests: 0, otlpSpans: 0, levoTraces: 0, protobufRequests: 0, protobufBytes: 0, injectedFailures: 0, badRequests: 0,
  };
  const catalog = new Catalog();
  let failRemaining = 0;
  let failStatus = 503;
  let failRetryAfter: number | undefined;

  let out: Writable | null = null;
  let outFd: number | null = null;
  if (typeof opts.out === 'string' && opts.out !== '-') {
    // opened now, synchronously: a path that cannot be written is a start-up error, not an 'error' event later
    try {
      outFd = openSync(opts.out, 'w');
    } catch (err) {
      throw outputOpenError('--out', opts.out, err);
    }
  }
  let outFailed = false;
  let outError: NodeJS.ErrnoException | null = null;
  const openOut = (): void => {
    if (typeof opts.out !== 'string') out = opts.out;
    else out = outFd !== null ? createWriteStream('', { fd: outFd }) : process.stdout;
    out?.on('error', (err: NodeJS.ErrnoException) => {
      if (!outFailed) {
        log(err.code === 'EPIPE'
          ? 'satellite: standard output closed by its reader; records are no longer written'
          : `satellite: writing records failed (${err.message}); records are no longer written`);
      }
      outFailed = true;
      outError ??= err;
    });
  };

  function emit(record: Record<string, unknown>): void {
    opts.onRecord?.(record);
    if (!outFailed) out?.write(JSON.stringify(record) + '\n');
  }

  function reply(res: http.ServerResponse, status: number, body: string, type = 'application/json', extra: http.OutgoingHttpHeaders = {}): void {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
    res.end(body);
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    stats.requests++;
    const path = (req.url ?? '').split('?')[0];
    const orgHeader = req.headers['x-levo-organization-id'];
    const orgId = typeof orgHeader === 'string' ? orgHeader : null;
    const page = req.method === 'GET' ? catalog.get(path) : null;
    if (page !== null) return reply(res, page.status, page.body, page.type, { 'cache-control': 'no-store' });
    if (path !== '/v1/traces' && path !== '/1.0/ebpf/traces') return reply(res, 404, '{"error":"not found"}');
    if (req.method !== 'POST') return reply(res, 405, '{"error":"POST only"}', 'application/json', { allow: 'POST' });
    if (failRemaining > 0) {
      failRemaining--;
      stats.injectedFailures++;
      log(`satellite: answered ${failStatus} (injected failure, ${failRemaining} left)`);
      return reply(res, failStatus, '{"error":"injected"}', 'application/json',
        failRetryAfter !== undefined ? { 'retry-after': String(failRetryAfter) } : {});
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (path === '/v1/traces' && type === 'application/x-protobuf') {
      stats.protobufRequests++;
      stats.protobufBytes += body.length;
      log(`satellite: otlp protobuf request, ${body.length} bytes (counted, not decoded) org=${orgId ?? '-'}`);
      return reply(res, 200, '', 'application/x-protobuf');
    }
    if (type !== 'application/json') {
      stats.badRequests++;
      return reply(res, 415, '{"error":"expected application/json"}');
    }
    try {
      if (path === '/v1/traces') {
        const records = otlpSpanRecords(JSON.parse(body.toString('utf8')));
        for (const r of records) { emit({ format: 'otlp', org_id: orgId, ...r }); catalog.addOtlpSpan(r.span); }
        stats.otlpSpans += records.length;
        log(`satellite: otlp ${records.length} spans, ${body.length} bytes, org=${orgId ?? '-'}`);
        return reply(res, 200, '{}');
      }
      const parsed: unknown = JSON.parse(body.toString('utf8').replace(BIG_INT_FIELD_RE, '"$1":"$2"'));
      const traces = Array.isArray(parsed) ? parsed : [parsed];
      for (const t of traces) {
        if (t === null || typeof t !== 'object') throw new Error('a trace is not an object');
      }
      for (const t of traces) { emit({ format: 'levo', org_id: orgId, trace: t }); catalog.addLevoTrace(t); }
      stats.levoTraces += traces.length;
      log(`satellite: levo ${traces.length} traces, ${body.length} bytes, org=${orgId ?? '-'}`);
      return reply(res, 200, '{}');
    } catch (err) {
      stats.badRequests++;
      log(`satellite: bad request on ${path}: ${(err as Error).message}`);
      return reply(res, 400, JSON.stringify({ error: (err as Error).message }));
    }
  }

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      if (tooBig) return;
      size += c.length;
      if (size > maxBody) {
        tooBig = true;
        stats.badRequests++;
        reply(res, 413, '{"error":"body too large"}', 'application/json', { connection: 'close' });
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => { if (!tooBig) handle(req, res, Buffer.concat(chunks)); });
    req.on('error', () => {});
  };

  const server = opts.tls !== undefined
    ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, onRequest)
    : http.createServer(onRequest);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, host, () => { server.off('error', reject); resolve(); });
    });
  } catch (err) {
    if (outFd !== null) closeSync(outFd);
    throw new SatelliteListenError(`cannot listen on ${host}:${opts.port}: ${errnoReason(err)}`);
  }
  openOut();
  const port = (server.address() as AddressInfo).port;
  const scheme = opts.tls !== undefined ? 'https' : 'http';
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    port,
    url: `${scheme}://${urlHost}:${port}`,
    stats,
    get outError() { return outError; },
    failNext(n: number, status = 503, retryAfterSec?: number): void {
      failRemaining = n;
      failStatus = status;
      failRetryAfter = retryAfterSec;
    },
    close(): Promise<void> {
      return new Promise<void>((resolve) => {
        server.close(() => {
          if (outFd !== null && out !== null && !outFailed) out.end(() => resolve());
          else resolve();
        });
        server.closeAllConnections();
      });
    },
  };
}
