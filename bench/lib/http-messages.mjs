// HTTP/1.1 request and response messages for the synthetic capture, built from a seeded PRNG.
// Bodies come from a pool built once at start-up (JSON documents from a few bytes to hundreds of KB,
// with gzip copies), so generating a million-packet capture does not rebuild JSON per exchange.
import { gzipSync } from 'node:zlib';

const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];

/** A JSON document of about `size` bytes (never shorter than "{}"). */
function jsonOfSize(rng, size) {
  if (size <= 2) return Buffer.from('{}');
  if (size < 40) return Buffer.from(JSON.stringify({ ok: true, id: Math.floor(rng() * 1e6) }));
  const items = [];
  let len = 12;
  while (len < size) {
    const n = NAMES[Math.floor(rng() * NAMES.length)];
    const item = {
      id: Math.floor(rng() * 1e9),
      name: n,
      email: `${n}${Math.floor(rng() * 1000)}@example.com`,
      active: rng() < 0.5,
      score: Math.round(rng() * 10000) / 100,
      tags: ['a', 'b', 'c'].slice(0, 1 + Math.floor(rng() * 3)),
    };
    const s = JSON.stringify(item);
    items.push(s);
    len += s.length + 1;
  }
  return Buffer.from(`{"items":[${items.join(',')}]}`);
}

/**
 * Response body pool. Size classes (by share of responses): small 2 B - 1 KB (70%), medium 1 - 20 KB
 * (25%), large 50 - 400 KB (5%). Each entry has the plain body and its gzip encoding.
 */
export function buildBodyPool(rng) {
  const pick = (lo, hi) => Math.floor(Math.exp(Math.log(lo) + rng() * (Math.log(hi) - Math.log(lo))));
  const make = (lo, hi, count) => {
    const out = [];
    for (let i = 0; i < count; i++) {
      const plain = jsonOfSize(rng, pick(lo, hi));
      out.push({ plain, gzip: gzipSync(plain, { level: 6 }) });
    }
    return out;
  };
  return {
    small: make(2, 1024, 48),
    medium: make(1024, 20 * 1024, 32),
    large: make(50 * 1024, 400 * 1024, 12),
    requestBodies: make(8, 8 * 1024, 24).map((e) => e.plain),
  };
}

const DATE = 'Sun, 29 Nov 2026 05:00:00 GMT';

/**
 * One request message. Returns { bytes: Buffer }.
 * Mix: GET 70% (no body), POST 20% and PUT 5% (JSON body), DELETE 5%.
 */
export function buildRequest(rng, pool, host) {
  const r = rng();
  const id = Math.floor(rng() * 100000);
  let method = 'GET';
  let target = `/api/v1/items/${id}?page=${Math.floor(rng() * 20)}&limit=50`;
  let body = null;
  if (r >= 0.7 && r < 0.9) { method = 'POST'; target = '/api/v1/items'; }
  else if (r >= 0.9 && r < 0.95) { method = 'PUT'; target = `/api/v1/items/${id}`; }
  else if (r >= 0.95) { method = 'DELETE'; target = `/api/v1/items/${id}`; }
  if (method === 'POST' || method === 'PUT') {
    body = pool.requestBodies[Math.floor(rng() * pool.requestBodies.length)];
  }
  let head = `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: bench-client/1.0\r\n` +
    `Accept: application/json\r\nAuthorization: Bearer tok${id}abcdef\r\nX-Request-Id: ${id}-${Math.floor(rng() * 1e9)}\r\n`;
  if (body) head += `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`;
  head += '\r\n';
  const h = Buffer.from(head, 'latin1');
  return body ? Buffer.concat([h, body]) : h;
}

/** Chunked transfer coding of `body` in chunks of 4-16 KB. */
function chunked(rng, body) {
  const parts = [];
  let off = 0;
  while (off < body.length) {
    const n = Math.min(body.length - off, 4096 + Math.floor(rng() * 12288));
    parts.push(Buffer.from(`${n.toString(16)}\r\n`, 'latin1'), body.subarray(off, off + n), Buffer.from('\r\n'));
    off += n;
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/**
 * One response message: 200 with a pooled JSON body; about 20% gzip (Content-Encoding) and 20% chunked,
 * independently. Returns a Buffer (head + framed body).
 */
export function buildResponse(rng, pool) {
  const c = rng();
  const cls = c < 0.7 ? pool.small : c < 0.95 ? pool.medium : pool.large;
  const entry = cls[Math.floor(rng() * cls.length)];
  const gz = rng() < 0.2;
  const isChunked = rng() < 0.2;
  const payload = gz ? entry.gzip : entry.plain;
  let head = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: ${DATE}\r\nServer: bench/1.0\r\n`;
  if (gz) head += 'Content-Encoding: gzip\r\n';
  head += isChunked ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${payload.length}\r\n`;
  head += 'Connection: keep-alive\r\n\r\n';
  const h = Buffer.from(head, 'latin1');
  return Buffer.concat([h, isChunked ? chunked(rng, payload) : payload]);
}
