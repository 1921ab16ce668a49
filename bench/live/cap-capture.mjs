// The npm package `cap` on the same replay (bench/live/replay-bench.mjs), run inside the capturing namespace:
//   cap-capture.mjs <interface> <bufferBytes>
// Prints {"ready":true} once capturing (or {"unavailable": "<why>"} and exits when `cap` is not installed);
// on a "stop" line on stdin prints {"packets": N}. `cap` has no drop counters and no timestamps.
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';

const [device, bufferArg] = process.argv.slice(2);
let Cap;
try {
  ({ Cap } = createRequire(import.meta.url)('cap'));
} catch (err) {
  process.stdout.write(JSON.stringify({ unavailable: String(err instanceof Error ? err.message : err).split('\n')[0] }) + '\n', () => process.exit(0));
}
if (Cap) {
  const c = new Cap();
  // cap keeps only a raw pointer to this Buffer: it must stay referenced for the whole capture
  const buffer = Buffer.alloc(65535);
  globalThis.__capBuffer = buffer;
  c.open(device, '', Number(bufferArg), buffer);
  let packets = 0;
  c.on('packet', () => { packets++; });
  process.stdout.write('{"ready":true}\n');
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() !== 'stop') return;
    c.close();
    process.stdout.write(JSON.stringify({ packets }) + '\n', () => process.exit(0));
  });
}
