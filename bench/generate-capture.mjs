#!/usr/bin/env -S node --import @tapjs/typescript/import
// Deterministic generator of large classic-pcap captures for the benchmark (docs/performance.md).
//
//   npm run bench:capture -- [--packets 1000000] [--connections 2000] [--inflight 64] [--seed 1] [--out FILE]
//                            [--profile normal|h2|hostile] [--reorder 0.02] [--duplicate 0.01]
//
// normal: HTTP/1.1 keep-alive connections; h2: the same connections speaking h2c (prior knowledge) with
// JSON and gRPC streams (lib/h2-messages.mjs), truth `streams` = the exchanges the sensor must find.
//
// The pcap writer, TCP flags and PRNG are the test toolkit's (test/util/), in TypeScript: the bench runs
// with tap's TypeScript loader (`node --import @tapjs/typescript/import`, as the npm scripts do).
//
// Writes FILE (streamed: a 4 MiB staging buffer, never the whole capture in memory) and FILE.truth.json:
// { packets, bytes, requests, responses, connections, ... } — the true numbers the run must find.
// Same options and seed => byte-identical file.
import { writeFileSync } from 'node:fs';
import { PcapWriter } from '../test/util/pcap-writer.js';
import { makePrng } from '../test/util/prng.js';
import { buildBodyPool } from './lib/http-messages.mjs';
import { generateNormalTraffic, BENCH_HOST } from './lib/normal-traffic.mjs';
import { h2Exchanges } from './lib/h2-messages.mjs';
import { generateHostileTraffic } from './lib/hostile-traffic.mjs';

export const GENERATOR_DEFAULTS = Object.freeze({
  packets: 1_000_000, connections: 2000, inflight: 64, seed: 1, profile: 'normal', reorder: 0.02, duplicate: 0.01, out: 'bench-capture.pcap',
});

/** Parses `--name value` pairs into an object of the defaults' types. Unknown flags throw. */
export function parseFlags(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    const key = m[1].replace(/-([a-z])/g, (_, ch) => ch.toUpperCase());
    if (!(key in defaults)) throw new Error(`unknown flag --${m[1]}`);
    let v = m[2];
    if (typeof defaults[key] === 'boolean' && v === undefined) { out[key] = true; continue; }
    if (v === undefined) v = argv[++i];
    if (v === undefined) throw new Error(`--${m[1]} needs a value`);
    out[key] = typeof defaults[key] === 'number' ? Number(v) : v;
    if (typeof defaults[key] === 'number' && !Number.isFinite(out[key])) throw new Error(`--${m[1]} must be a number`);
  }
  return out;
}

/** Generates the capture and its truth sidecar; returns the truth object. */
export function generateCapture(opts) {
  const o = { ...GENERATOR_DEFAULTS, ...opts };
  const rng = makePrng(o.seed);
  const writer = new PcapWriter(o.out, 1_795_000_000);
  const startNs = 0;
  const started = Date.now();
  let truth;
  if (o.profile === 'hostile') {
    truth = generateHostileTraffic({ writer, rng, packets: o.packets, connections: o.connections, startNs });
  } else if (o.profile === 'normal' || o.profile === 'h2') {
    const pool = buildBodyPool(rng);
    const h2 = o.profile === 'h2' ? h2Exchanges(rng, pool, BENCH_HOST) : null;
    truth = generateNormalTraffic({ writer, rng, pool, packets: o.packets, connections: o.connections, inflight: o.inflight,
      reorder: o.reorder, duplicate: o.duplicate, startNs, messages: h2?.messages });
    if (h2) truth = { ...truth, ...h2.truth };
  } else {
    throw new Error(`unknown profile ${o.profile}`);
  }
  writer.close();
  const result = {
    profile: o.profile, seed: o.seed, targetPackets: o.packets, concurrentConnections: o.connections,
    inflight: o.profile === 'hostile' ? null : o.inflight,
    packets: writer.packets, bytes: writer.bytes, ...truth, durationSeconds: truth.endNs / 1e9, generateSeconds: (Date.now() - started) / 1000,
  };
  writeFileSync(`${o.out}.truth.json`, JSON.stringify(result, null, 2) + '\n');
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const opts = parseFlags(process.argv.slice(2), GENERATOR_DEFAULTS);
    const truth = generateCapture(opts);
    process.stdout.write(JSON.stringify(truth) + '\n');
  } catch (err) {
    process.stderr.write(`generate-capture: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  }
}
