/**
 * The HTTP/2 header path alone, measured (a script, not a test): each block handed to `HeaderBlocks.start`
 * as one HEADERS frame with END_HEADERS, then decoded by `HpackDecoder`, as the HTTP/2 stage does.
 *
 *   npm run build:ts && node bench/parsers/h2-header-blocks.mjs [--dist dist] [--blocks 400000] [--rounds 5]
 *
 * `--dist` picks the compiled build to measure (a copy of another commit's dist/ for before/after figures).
 * Two workloads:
 *  - capture: the blocks of the benchmark's h2c capture (bench/lib/h2-messages.mjs: static-table indexed
 *    fields and literals without indexing): a gRPC request, its response head and trailers; a new
 *    connection (decoders) every 192 blocks;
 *  - rfc: RFC 7541 C.4 (requests: Huffman coding, references to the dynamic table) and C.6 (responses:
 *    Huffman coding, evictions at a 256-byte table), a new connection every 6 blocks.
 * Prints CPU nanoseconds per block (median, min and max of the rounds).
 */
import path from 'node:path';
import { hpack } from '../lib/h2-frames.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const dist = path.resolve(opt('dist', 'dist'));
const BLOCKS = Number(opt('blocks', 400_000));
const ROUNDS = Number(opt('rounds', 5));
const { HeaderBlocks } = await import(path.join(dist, 'http2/header-block.js'));
const { HpackDecoder } = await import(path.join(dist, 'http2/hpack.js'));

const counters = { inc() {} };
const hex = (s) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const request = (i) => [[':method', 'POST'], [':scheme', 'http'], [':path', `/bench.Items/Get${i % 7}`], [':authority', 'api.bench.local:8080'],
  ['user-agent', 'bench-h2/1.0'], ['authorization', 'Bearer abcdefghijklmnopqrstuvwxyz0123456789'],
  ['x-request-id', `59503-${199030394 + i}`], ['content-type', 'application/grpc'], ['te', 'trailers']];
const capture = [];
for (let i = 0; i < 64; i++) {
  capture.push(hpack(request(i)), hpack([[':status', '200'], ['content-type', 'application/grpc']]), hpack([['grpc-status', '0'], ['grpc-message', '']]));
}
const rfc = [
  '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff', '8286 84be 5886 a8eb 1064 9cbf',
  '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
  // C.6 after a size update to 256 (the decoders' limit is the connection's, 65 536)
  `3fe101 4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad
   1718 63c7 8f0b 97c8 e9ae 82ae 43d3`,
  '4883 640e ffc1 c0bf',
  `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335
   dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
].map(hex);

/** A complete block's bytes (`parts`: the builds before the one-frame view, which copied each fragment). */
const fragment = (b) => b.fragment ?? (b.parts.length === 1 ? b.parts[0] : Buffer.concat(b.parts));

function run(blocks, perConnection, n) {
  let fields = 0;
  let hb = null, d = null;
  for (let i = 0; i < n; i++) {
    if (i % perConnection === 0) {
      hb = new HeaderBlocks(counters, 65536);
      d = new HpackDecoder(65536);
    }
    const b = hb.start(0x1, 0x4, 1 + 2 * (i % 1000), blocks[i % blocks.length]);
    const r = d.decode(fragment(b), 65536);
    if (r.error !== null || r.unknownIndex !== 0) throw new Error(`block ${i % blocks.length}: ${r.error ?? 'unknown index'}`);
    fields += r.fields.length;
  }
  return fields;
}

for (const { name, blocks, perConnection } of [{ name: 'capture', blocks: capture, perConnection: 192 }, { name: 'rfc', blocks: rfc, perConnection: 6 }]) {
  run(blocks, perConnection, BLOCKS / 8); // warm-up
  const ns = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.cpuUsage();
    run(blocks, perConnection, BLOCKS);
    const t = process.cpuUsage(t0);
    ns.push(((t.user + t.system) * 1000) / BLOCKS);
  }
  ns.sort((a, b) => a - b);
  console.log(`${name.padEnd(8)} ${BLOCKS} blocks: ${ns[ns.length >> 1].toFixed(0)} ns per block (min ${ns[0].toFixed(0)}, max ${ns[ns.length - 1].toFixed(0)})`);
}
