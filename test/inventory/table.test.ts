// The default output: a table fitted to the terminal when standard output is one (run under script(1) for a
// pseudo-terminal of a set width), JSON when it is a pipe or a file.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { API, API_PCAP, inventory } from './harness.js';
import { SENSOR_BIN } from '../util/sensor-run.js';

/** `inventory ARGS` on a pseudo-terminal `cols` wide; its screen text (CR LF -> LF). */
function onTerminal(cols: number, args: string[]): { status: number | null; text: string } {
  const cmd = `stty cols ${cols} rows 100; exec ${SENSOR_BIN} inventory ${args.join(' ')}`;
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, text: r.stdout.replace(/\r\n/g, '\n') };
}

t.test('on a terminal: a table by calls, each line within the width', { skip: spawnSync('script', ['--version']).status !== 0 && 'script(1) missing' }, async (t) => {
  for (const cols of [60, 100, 160]) {
    const r = onTerminal(cols, ['--pcap', API_PCAP]);
    t.equal(r.status, 0, r.text);
    const lines = r.text.split('\n').filter((l) => l !== '');
    t.match(lines[0], /^METHOD\s+PATH\s+CALLS\s+STATUS\s+P50 ms\s+P95 ms$/);
    t.equal(lines.length, API.endpoints.length + 2, 'header, one row per endpoint, totals');
    t.ok(lines.every((l) => [...l].length <= cols), `every line within ${cols} columns`);
    const calls = lines.slice(1, -1).map((l) => Number(/\s(\d+)\s+\d{3}:/.exec(l)?.[1]));
    t.same(calls, [...calls].sort((a, b) => b - a), 'most called first');
    t.same([...calls].sort((a, b) => a - b), API.endpoints.map((e) => e.count).sort((a, b) => a - b));
    if (cols >= 100) t.match(r.text, /GET\s+\/api\/v1\/users\/\{userId\}\s+33\s+200:30 404:3\s/);
    else t.match(r.text, /…/, 'long paths cut');
  }
});

t.test('not a terminal: JSON by default', async (t) => {
  const r = await inventory(['--pcap', API_PCAP]);
  t.equal(r.code, 0);
  t.equal(JSON.parse(r.stdout).endpoints.length, API.endpoints.length);
});
