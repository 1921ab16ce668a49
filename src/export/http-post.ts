/**
 * One HTTP(S) POST to the satellite, classified for the retry logic. Never rejects.
 *
 * Classification: 2xx ok; 408, 429 and 5xx retry (with Retry-After when sent); other statuses
 * reject; network errors (refused, reset, DNS, TLS) and timeouts retry. The response body is read
 * and discarded, at most MAX_RESPONSE_BYTES of it (then the socket is destroyed).
 */
import http from 'node:http';
import https from 'node:https';
import { parseRetryAfterMs } from './backoff.js';
import type { BatchTransport, EncodedBatch, SendResult } from './types.js';
import type { HttpExchange } from '../http/types.js';

const MAX_RESPONSE_BYTES = 64 * 1024;

/** Maps an HTTP status to a result; `retryAfter` is the raw Retry-After header. */
export function classifyStatus(status: number, retryAfter?: string | string[]): SendResult {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfterMs(retryAfter);
    return retryAfterMs === undefined
      ? { kind: 'retry', reason: `HTTP ${status}` }
      : { kind: 'retry', reason: `HTTP ${status}`, retryAfterMs };
  }
  return { kind: 'reject', reason: `HTTP ${status}` };
}

/**
 * A keep-alive agent for the satellite's scheme. `ca` (PEM) replaces the default trust store for
 * https, for satellites behind a private CA; ignored for http.
 */
export function createSatelliteAgent(url: URL, ca?: string | Buffer): http.Agent {
  if (url.protocol === 'https:') {
    return new https.Agent({ keepAlive: true, maxSockets: 2, ...(ca !== undefined ? { ca } : {}) });
  }
  return new http.Agent({ keepAlive: true, maxSockets: 2 });
}

export interface PostTarget {
  url: URL;
  agent: http.Agent;
  /** Sent on every request, in addition to Content-Type and Content-Length. */
  headers: Record<string, string>;
}

/**
 * POSTs `body`; resolves within `timeoutMs`, or at once when `signal` aborts (the request is destroyed and
 * the result is a retry with reason 'aborted': the caller decides whether there is time for another).
 */
export function postBody(target: PostTarget, body: Buffer, contentType: string, timeoutMs: number,
  signal?: AbortSignal): Promise<SendResult> {
  return new Promise<SendResult>((resolve) => {
    if (signal?.aborted === true) {
      resolve({ kind: 'retry', reason: 'aborted' });
      return;
    }
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (r: SendResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const onAbort = (): void => {
      settle({ kind: 'retry', reason: 'aborted' });
      req?.destroy();
    };
    const mod = target.url.protocol === 'https:' ? https : http;
    let req: http.ClientRequest | undefined;
    try {
      req = mod.request(target.url, {
        method: 'POST',
        agent: target.agent,
        headers: { ...target.headers, 'content-type': contentType, 'content-length': String(body.length) },
      }, (res) => {
        let seen = 0;
        res.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > MAX_RESPONSE_BYTES) res.destroy();
        });
        const done = (): void => settle(classifyStatus(res.statusCode ?? 0, res.headers['retry-after']));
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      });
    } catch (err) {
      settle({ kind: 'retry', reason: `request: ${String(err)}` });
      return;
    }
    // A whole-request timeout (connect + send + response), not a socket idle timeout.
    timer = setTimeout(() => {
      settle({ kind: 'retry', reason: `timeout after ${timeoutMs} ms` });
      req?.destroy();
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => settle({ kind: 'retry', reason: err.code ?? err.message }));
    req.end(body);
  });
}

/**
 * A satellite transport whose payload is a JSON body POSTed to one URL (both export formats): `send` and
 * `close` are shared, the format supplies `encode`. One keep-alive agent; close() destroys its sockets.
 */
export abstract class JsonPostTransport implements BatchTransport<Buffer> {
  abstract readonly name: string;
  private readonly target: PostTarget;

  constructor(url: URL, headers: Record<string, string>, ca?: string | Buffer) {
    this.target = { url, agent: createSatelliteAgent(url, ca), headers };
  }

  abstract encode(batch: readonly HttpExchange[]): EncodedBatch<Buffer>;

  send(payload: Buffer, timeoutMs: number, signal: AbortSignal): Promise<SendResult> {
    return postBody(this.target, payload, 'application/json', timeoutMs, signal);
  }

  async close(): Promise<void> {
    this.target.agent.destroy();
  }
}
