/**
 * Drives an HttpStreamFactory with synthetic byte streams (no TCP): onData / onGap / onClose directly.
 * `forEverySplit` replays a fixture whole, at every two-chunk split point of every data step, and byte by
 * byte, and checks that every replay yields the same exchanges as the whole one.
 */
import type { Test } from 'tap';
import { HttpStreamFactory } from '../../src/http/factory.js';
import type { HttpOptions } from '../../src/http/options.js';
import type { HttpExchange, RequestHead, RequestPolicy } from '../../src/http/types.js';
import type { ConnectionInfo } from '../../src/reassembly/types.js';
import { Counters } from '../../src/util/counters.js';

/** Bytes of one direction. */
export type DataStep = { dir: 0 | 1; data: Buffer };
export type Step = DataStep | { dir: 0 | 1; gap: number };

export const C = 0 as const;
export const S = 1 as const;

export function req(text: string | Buffer): DataStep {
  return { dir: C, data: typeof text === 'string' ? Buffer.from(text, 'latin1') : text };
}
export function res(text: string | Buffer): DataStep {
  return { dir: S, data: typeof text === 'string' ? Buffer.from(text, 'latin1') : text };
}

export interface RunOptions {
  conn?: Partial<ConnectionInfo>;
  options?: Partial<HttpOptions>;
  policy?: RequestPolicy;
  /** Do not call onClose at the end. */
  noClose?: boolean;
}

export interface RunResult {
  exchanges: HttpExchange[];
  counters: Counters;
  factory: HttpStreamFactory;
  heads: RequestHead[];
}

export const admitAll: RequestPolicy = { admit: () => true };

export function connInfo(over: Partial<ConnectionInfo> = {}): ConnectionInfo {
  return {
    id: 1, clientIp: '10.0.0.1', clientPort: 40000, serverIp: '10.0.0.2', serverPort: 80,
    midStream: false, rolesGuessed: false, ...over,
  };
}

/** Runs steps; the timestamp of step i is (1000 + i) s, i ns (split chunks keep their step's time). */
export function run(steps: Step[], o: RunOptions = {}, chunking?: (i: number, b: Buffer) => Buffer[]): RunResult {
  const exchanges: HttpExchange[] = [];
  const heads: RequestHead[] = [];
  const counters = new Counters();
  const inner = o.policy ?? admitAll;
  const policy: RequestPolicy = {
    admit: (h, c, s, n) => {
      heads.push(h);
      return inner.admit(h, c, s, n);
    },
  };
  const factory = new HttpStreamFactory({ onExchange: (ex) => exchanges.push(ex) }, policy, o.options ?? {}, counters);
  const consumer = factory.create(connInfo(o.conn));
  steps.forEach((st, i) => {
    if ('gap' in st) consumer.onGap(st.dir, st.gap, 1000 + i, i);
    else for (const piece of chunking ? chunking(i, st.data) : [st.data]) consumer.onData(st.dir, piece, 1000 + i, i);
  });
  if (!o.noClose) consumer.onClose('fin', 2000, 0);
  return { exchanges, counters, factory, heads };
}

/** A comparable summary of exchanges (bodies as latin1 text). */
export function summary(exs: HttpExchange[]): unknown[] {
  return exs.map((e) => ({
    depth: e.depth,
    req: { ...e.request, body: { ...e.request.body, bytes: e.request.body.bytes?.toString('latin1') ?? null } },
    res: e.response === null ? null : { ...e.response, body: { ...e.response.body, bytes: e.response.body.bytes?.toString('latin1') ?? null } },
    flags: [...e.flags].sort(),
    rolesSwapped: e.rolesSwapped,
    start: [e.startSec, e.startNsec],
    end: [e.endSec, e.endNsec],
  }));
}

/** Copies so that a consumer keeping a view (a bug) shows up as corrupted data. */
function scribbled(pieces: Buffer[]): Buffer[] {
  return pieces.map((p) => Buffer.from(p));
}

/**
 * Runs the fixture whole, then at every split point of each data step (limit: `maxSplits` per step,
 * spread evenly) and byte by byte; every run must give the whole run's exchanges. Returns the whole run.
 */
export function forEverySplit(t: Test, steps: Step[], o: RunOptions = {}, maxSplits = Infinity, byteByByte = true): RunResult {
  const whole = run(steps, o);
  const expected = summary(whole.exchanges);
  let mismatches = 0;
  steps.forEach((st, i) => {
    if ('gap' in st || st.data.length < 2) return;
    const n = st.data.length;
    const stride = Math.max(1, Math.floor((n - 1) / Math.min(n - 1, maxSplits)));
    for (let k = 1; k < n; k += stride) {
      const r = run(steps, o, (j, b) => (j === i ? scribbled([b.subarray(0, k), b.subarray(k)]) : [b]));
      const got = summary(r.exchanges);
      if (mismatches < 3 && !t.strictSame(got, expected, `step ${i} split at ${k}`)) mismatches++;
    }
  });
  if (byteByByte) {
    const r = run(steps, o, (_j, b) => {
      const out: Buffer[] = [];
      for (let k = 0; k < b.length; k++) out.push(Buffer.from(b.subarray(k, k + 1)));
      return out;
    });
    t.strictSame(summary(r.exchanges), expected, 'byte by byte');
  }
  return whole;
}
