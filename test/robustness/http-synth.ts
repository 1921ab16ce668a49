/**
 * Synthetic HTTP/1.1 exchanges for the stream properties: each one rendered from its own description, so
 * the truth (method, target, status, decoded body lengths) is known without asking the sensor.
 */
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import type { Chunk, ExpectedExchange } from './harness.js';

export interface SynthExchange {
  method: 'GET' | 'POST' | 'PUT' | 'HEAD' | 'DELETE';
  path: string;
  requestBody: number;
  status: number;
  responseBody: number;
  chunked: boolean;
  gzip: boolean;
  expectContinue: boolean;
}

export const synthExchangeArb: fc.Arbitrary<SynthExchange> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'DELETE') as fc.Arbitrary<SynthExchange['method']>,
  path: fc.stringMatching(/^\/[a-z0-9]{0,12}(\?[a-z]=[0-9]{1,4})?$/),
  requestBody: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1000, max: 20_000 })),
  status: fc.constantFrom(200, 200, 201, 204, 304, 404, 500),
  responseBody: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 500 }), fc.integer({ min: 2000, max: 30_000 })),
  chunked: fc.boolean(),
  gzip: fc.boolean(),
  expectContinue: fc.boolean(),
});

function body(len: number, tag: number): Buffer {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = 0x61 + ((i * 7 + tag) % 26);
  return b;
}

function chunkedEncode(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let off = 0, k = 1; off < data.length; k++) {
    const n = Math.min(data.length - off, 97 * k);
    parts.push(Buffer.from(`${n.toString(16)}\r\n`), data.subarray(off, off + n), Buffer.from('\r\n'));
    off += n;
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** Truth and wire bytes of one connection. `pipelined`: all requests first, then all responses. */
export function renderConnection(exs: SynthExchange[], clientPort: number, pipelined: boolean): { chunks: Chunk[]; expected: ExpectedExchange[] } {
  const reqs: Buffer[] = [];
  const ress: Buffer[] = [];
  const expected: ExpectedExchange[] = [];
  exs.forEach((e, i) => {
    const hasReqBody = (e.method === 'POST' || e.method === 'PUT') && e.requestBody > 0;
    const reqBody = hasReqBody ? body(e.requestBody, i) : Buffer.alloc(0);
    const cont = hasReqBody && e.expectContinue && !pipelined;
    const reqHead = `${e.method} ${e.path} HTTP/1.1\r\nHost: api.test\r\nUser-Agent: synth\r\n` +
      (hasReqBody ? `Content-Type: application/octet-stream\r\nContent-Length: ${reqBody.length}\r\n` : '') +
      (cont ? 'Expect: 100-continue\r\n' : '') + '\r\n';
    const noBody = e.method === 'HEAD' || e.status === 204 || e.status === 304;
    const entity = body(noBody ? 0 : e.responseBody, i + 100);
    const encoded = e.gzip && entity.length > 0 ? gzipSync(entity) : entity;
    let resHead = `HTTP/1.1 ${e.status} X\r\nContent-Type: application/json\r\n`;
    if (e.gzip && entity.length > 0) resHead += 'Content-Encoding: gzip\r\n';
    let resBody: Buffer;
    if (noBody) {
      resBody = Buffer.alloc(0);
      if (e.method === 'HEAD' && e.status !== 204 && e.status !== 304) resHead += `Content-Length: ${e.responseBody}\r\n`;
    } else if (e.chunked) {
      resHead += 'Transfer-Encoding: chunked\r\n';
      resBody = chunkedEncode(encoded);
    } else {
      resHead += `Content-Length: ${encoded.length}\r\n`;
      resBody = encoded;
    }
    const head = Buffer.from(reqHead, 'latin1');
    if (cont) {
      reqs.push(head);
      ress.push(Buffer.from('HTTP/1.1 100 Continue\r\n\r\n'));
      reqs.push(reqBody);
    } else reqs.push(Buffer.concat([head, reqBody]));
    ress.push(Buffer.concat([Buffer.from(resHead + '\r\n', 'latin1'), resBody]));
    expected.push({
      client_port: clientPort, server_port: 8080, order_on_connection: i + 1, method: e.method, target: e.path,
      request_body_length: reqBody.length, status: e.status, response_body_length: entity.length,
    });
  });
  const chunks: Chunk[] = [];
  if (pipelined) {
    chunks.push({ dir: 0, data: Buffer.concat(reqs) });
    chunks.push({ dir: 1, data: Buffer.concat(ress) });
  } else {
    // alternate: request (head [, 100, body]), response
    let r = 0;
    let s = 0;
    for (const e of exs) {
      const cont = (e.method === 'POST' || e.method === 'PUT') && e.requestBody > 0 && e.expectContinue;
      chunks.push({ dir: 0, data: reqs[r++] });
      if (cont) { chunks.push({ dir: 1, data: ress[s++] }); chunks.push({ dir: 0, data: reqs[r++] }); }
      chunks.push({ dir: 1, data: ress[s++] });
    }
  }
  return { chunks, expected };
}
