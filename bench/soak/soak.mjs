#!/usr/bin/env node
// Soak run (a script, not a test; needs root): mixed live HTTP traffic through a veth between two network
// namespaces this script creates, the sensor capturing live on the server side and exporting to the
// embedded satellite, which is restarted every --restart-minutes. Samples the sensor's RSS (from /proc and
// from its stats lines) and the stats-line delay (a proxy for event-loop lag: a line due every
// --stats-interval s that comes late shows the loop was blocked), counts exchanges captured vs sent by the
// clients, and prints every drop counter of the final stats.
//
//   sudo node bench/soak/soak.mjs [--minutes 60] [--rate 40] [--restart-minutes 3] [--stats-interval 10] [--out DIR]
//
// Traffic: a Node keep-alive client at --rate requests/s (GET and POST, JSON bodies 10 B - 200 KB, some gzip)
// plus one curl (new connection) every 2 s. Everything stays inside the two namespaces; both are deleted
// and every process this script started is stopped on exit (also on SIGINT/SIGTERM).
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync, appendFileSync, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

// bin/pcap-sensor (a shell script) runs the node on PATH unless told: the same node as this script.
process.env.PCAP_SENSOR_NODE ??= process.execPath;
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), /** @type {[string, string][]} */ ([])));
const MINUTES = Number(args.minutes ?? 60);
const RATE = Number(args.rate ?? 40);
const RESTART_MIN = Number(args['restart-minutes'] ?? 3);
const STATS_INTERVAL = Number(args['stats-interval'] ?? 10);
const OUT = args.out ?? `/tmp/pcs-soak-${process.pid}`;
const NS_S = `pcs-soak-s${process.pid}`;
const NS_C = `pcs-soak-c${process.pid}`;
const IF_S = `pss${process.pid}`.slice(0, 15);
const IF_C = `psc${process.pid}`.slice(0, 15);
const SERVER_IP = '10.232.0.1';
const PORT = 8080;
const SAT_PORT = 9999;

mkdirSync(OUT, { recursive: true });
const children = new Set();
const sh = (cmd, a) => execFileSync(cmd, a, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

function cleanup() {
  for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
  for (const ns of [NS_S, NS_C]) { try { sh('ip', ['netns', 'del', ns]); } catch { /* gone */ } }
}
process.on('SIGINT', () => { cleanup(); process.exit(130); });
process.on('SIGTERM', () => { cleanup(); process.exit(143); });

function start(name, ns, cmd, cmdArgs, onLine) {
  const child = spawn('ip', ['netns', 'exec', ns, cmd, ...cmdArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let buf = '';
  const feed = (c) => {
    buf += c;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { const line = buf.slice(0, i); buf = buf.slice(i + 1); onLine?.(line); }
  };
  child.stdout.on('data', feed);
  child.stderr.on('data', feed);
  return child;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stop = (child, sig = 'SIGTERM') => /** @type {Promise<void>} */ (new Promise((r) => { if (child.exitCode !== null) return r(); child.once('exit', () => r()); child.kill(sig); }));

const SERVER_JS = `
const http = require('http'); const zlib = require('zlib'); let served = 0;
http.createServer((req, res) => {
  const chunks = []; req.on('data', (c) => chunks.push(c)); req.on('end', () => {
    served++; const n = Number(new URL(req.url, 'http://x').searchParams.get('size') || 64);
    let body = Buffer.from(JSON.stringify({ path: req.url, pad: 'x'.repeat(n) }));
    const h = { 'content-type': 'application/json' };
    if (req.url.includes('gzip=1')) { body = zlib.gzipSync(body); h['content-encoding'] = 'gzip'; }
    res.writeHead(200, h); res.end(body);
  });
}).listen(${PORT}, '${SERVER_IP}');
setInterval(() => console.log('SERVED ' + served), 1000);`;

const CLIENT_JS = `
const http = require('http'); const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
let sent = 0, ok = 0, failed = 0, i = 0; const rate = ${RATE};
setInterval(() => {
  const k = i++; const post = k % 5 === 0; const size = k % 50 === 0 ? 200000 : 10 + (k * 7919) % 3000;
  const path = '/soak/' + (k % 100) + '?size=' + size + (k % 4 === 0 ? '&gzip=1' : '');
  sent++;
  const req = http.request({ host: '${SERVER_IP}', port: ${PORT}, path, method: post ? 'POST' : 'GET', agent,
    headers: post ? { 'content-type': 'application/json' } : {} }, (res) => { res.resume(); res.on('end', () => ok++); });
  req.on('error', () => failed++);
  req.end(post ? JSON.stringify({ k, data: 'y'.repeat(k % 500) }) : undefined);
}, 1000 / rate);
setInterval(() => console.log('CLIENT ' + sent + ' ' + ok + ' ' + failed), 1000);`;

async function main() {
  // network: two namespaces joined by a veth, real 1514-byte frames (reference.md §5)
  sh('ip', ['netns', 'add', NS_S]); sh('ip', ['netns', 'add', NS_C]);
  sh('ip', ['link', 'add', IF_S, 'type', 'veth', 'peer', 'name', IF_C]);
  sh('ip', ['link', 'set', IF_S, 'netns', NS_S]); sh('ip', ['link', 'set', IF_C, 'netns', NS_C]);
  sh('ip', ['-n', NS_S, 'addr', 'add', `${SERVER_IP}/24`, 'dev', IF_S]); sh('ip', ['-n', NS_C, 'addr', 'add', '10.232.0.2/24', 'dev', IF_C]);
  for (const [ns, dev] of [[NS_S, IF_S], [NS_C, IF_C]]) {
    sh('ip', ['-n', ns, 'link', 'set', dev, 'up']); sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', ns, 'link', 'set', 'dev', dev, 'gso_max_segs', '1']);
  }
  writeFileSync(join(OUT, 'server.cjs'), SERVER_JS);
  writeFileSync(join(OUT, 'client.cjs'), CLIENT_JS);

  let served = 0, clientSent = 0, clientOk = 0, clientFailed = 0, curlSent = 0;
  start('server', NS_S, process.execPath, [join(OUT, 'server.cjs')], (l) => { if (l.startsWith('SERVED ')) served = Number(l.slice(7)); });
  let satRestarts = 0;
  const startSat = () => start('satellite', NS_S, join(REPO, 'bin/pcap-sensor'), ['satellite', '--port', String(SAT_PORT), '--out', join(OUT, `satellite-${satRestarts}.jsonl`)]);
  let sat = startSat();
  await sleep(1500);

  const samples = [];
  let lastStatsAt = 0;
  let finalStats = null;
  const sensor = start('sensor', NS_S, join(REPO, 'bin/pcap-sensor'), ['apidump', '--interface', IF_S,
    '--satellite-url', `http://127.0.0.1:${SAT_PORT}`, '--export-format', 'levo', '--levoai-org-id', 'soak', '--trace-export-interval', '2s',
    '--rate-limit', '0', '--stats-interval', String(STATS_INTERVAL), '--out', join(OUT, 'sensor.jsonl')], (l) => {
    if (!l.startsWith('{')) return;
    let o; try { o = JSON.parse(l); } catch { return; }
    if (o.msg === 'stats' || o.msg === 'final stats') {
      const now = Date.now();
      const lateMs = lastStatsAt && o.msg === 'stats' ? now - lastStatsAt - STATS_INTERVAL * 1000 : null;
      lastStatsAt = now;
      if (o.msg === 'final stats') {
        finalStats = o.stats;
        writeFileSync(join(OUT, 'final-stats.json'), JSON.stringify(o.stats, null, 1));
      } else {
        const sample = { t: Math.round((now - t0) / 1000), rssMiB: +(o.stats['process.rss_bytes'] / 2 ** 20).toFixed(1), statsLateMs: lateMs, cpu: o.stats['process.cpu_percent'], exchanges: o.stats['http.exchanges'] ?? 0, clientSent };
        samples.push(sample);
        appendFileSync(join(OUT, 'samples.jsonl'), JSON.stringify(sample) + '\n'); // kept even if this script dies
      }
    } else if (o.level >= 40) console.log(`[sensor ${o.level >= 50 ? 'error' : 'warn'}] ${o.msg}`);
  });
  // sensor start-up (module loading, opening the interface) takes a few seconds; connections opened before
  // it captures would show up as mid_stream
  await sleep(6000);
  const t0 = Date.now();
  const client = start('client', NS_C, process.execPath, [join(OUT, 'client.cjs')], (l) => {
    if (l.startsWith('CLIENT ')) [clientSent, clientOk, clientFailed] = l.slice(7).split(' ').map(Number);
  });
  const end = t0 + MINUTES * 60_000;
  let nextRestart = t0 + RESTART_MIN * 60_000;
  let peakProcRss = 0;
  while (Date.now() < end) {
    await sleep(2000);
    const c = start('curl', NS_C, 'curl', ['-s', '-o', '/dev/null', `http://${SERVER_IP}:${PORT}/soak/curl?size=500`]);
    curlSent++;
    c.on('exit', () => {});
    try {
      const status = readFileSync(`/proc/${sensor.pid}/status`, 'utf8');
      peakProcRss = Math.max(peakProcRss, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    } catch { /* sensor gone */ }
    if (Date.now() >= nextRestart) {
      await stop(sat);
      console.log(`[soak] satellite stopped at ${Math.round((Date.now() - t0) / 1000)} s; down for 10 s`);
      await sleep(10_000);
      satRestarts++;
      sat = startSat();
      nextRestart += RESTART_MIN * 60_000;
    }
  }
  await stop(client);
  await sleep(3000);
  await stop(sensor, 'SIGTERM');
  await stop(sat);
  await sleep(500);

  // An hour of exchanges is over a GB of JSON Lines: read line by line, never as one string.
  const jsonl = { lines: 0, soakPaths: 0, withResponse: 0, flagged: 0 };
  await eachLine(join(OUT, 'sensor.jsonl'), (l) => {
    jsonl.lines++;
    const e = JSON.parse(l);
    if (!e.request.path.startsWith('/soak/')) return;
    jsonl.soakPaths++;
    if (e.response) jsonl.withResponse++;
    if (e.flags.length) jsonl.flagged++;
  });
  let satLines = 0;
  for (let i = 0; i <= satRestarts; i++) await eachLine(join(OUT, `satellite-${i}.jsonl`), () => { satLines++; });
  const s = finalStats ?? {};
  const drops = Object.fromEntries(Object.entries(s).filter(([k]) => /drop|evict|cap_|gap|fail|kernel|if_drops|budget|truncat|parse_error|without_request|no_connection|out_of_window|internal|sink_error|consumer_error|retried/.test(k)));
  const report = {
    minutes: MINUTES, ratePerSec: RATE, satelliteRestarts: satRestarts,
    sent: { nodeClient: clientSent, nodeClientOk: clientOk, nodeClientFailed: clientFailed, curl: curlSent, serverServed: served },
    captured: { jsonl: jsonl.lines, soakPaths: jsonl.soakPaths, withResponse: jsonl.withResponse, flagged: jsonl.flagged, satelliteReceived: satLines },
    rss: { firstMiB: samples[0]?.rssMiB, lastMiB: samples.at(-1)?.rssMiB, maxMiB: Math.max(...samples.map((x) => x.rssMiB)), peakVmHWMMiB: +peakProcRss.toFixed(1) },
    statsLineLateMs: { max: Math.max(...samples.filter((x) => x.statsLateMs !== null).map((x) => x.statsLateMs)) },
    samples, drops,
  };
  writeFileSync(join(OUT, 'soak-report.json'), JSON.stringify(report, null, 1));
  console.log(JSON.stringify({ ...report, samples: undefined }, null, 1));
  console.log('RSS over time (s: MiB, stats line late ms):', samples.map((x) => `${x.t}:${x.rssMiB}/${x.statsLateMs}`).join(' '));
  console.log(`full report: ${join(OUT, 'soak-report.json')}`);
}

/** Calls `onLine` for every non-empty line of `file` (absent file: none). */
async function eachLine(file, onLine) {
  if (!existsSync(file)) return;
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) if (line.length > 0) onLine(line);
}

main().then(() => cleanup(), (e) => { console.error(e); cleanup(); process.exit(1); });
