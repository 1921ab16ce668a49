// The measured commands (as whole processes) and the embedded satellite used by the export run.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { runMeasured, processCpuSec } from './measure.mjs';
import { countTsharkFields, countSensorJsonl, countLines, sensorFinalStats } from './counts.mjs';
import { generateCapture } from '../generate-capture.mjs';
import { readFileSync } from 'node:fs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SENSOR = path.join(ROOT, 'bin/pcap-sensor');

/** Generates `file` (and its truth sidecar) unless both exist for the same options; returns the truth. */
export function ensureCapture(file, opts, log) {
  const truthFile = `${file}.truth.json`;
  if (existsSync(file) && existsSync(truthFile)) {
    const t = JSON.parse(readFileSync(truthFile, 'utf8'));
    if (t.targetPackets === opts.packets && t.concurrentConnections === opts.connections && t.seed === opts.seed &&
        t.profile === (opts.profile ?? 'normal') && (t.inflight ?? null) === (opts.inflight ?? null)) {
      log(`reusing ${file} (${t.packets} packets)`);
      return t;
    }
  }
  log(`generating ${file}: ${JSON.stringify(opts)}`);
  const t = generateCapture({ ...opts, out: file });
  log(`  ${t.packets} packets, ${(t.bytes / 1e6).toFixed(1)} MB, ${t.requests} exchanges, ${t.generateSeconds}s`);
  return t;
}

/** tcpdump -r FILE -w /dev/null: the libpcap read floor. */
export async function runFloor(file, dir, i) {
  const r = await runMeasured('tcpdump', ['-r', file, '-w', '/dev/null'],
    { stdout: `${dir}/tcpdump.${i}.out`, stderr: `${dir}/tcpdump.${i}.err` });
  return { ...r, requests: null, responses: null };
}

/**
 * tshark with out-of-order reassembly, printing request methods and response codes. `h2Port`: read TCP on
 * that port as HTTP/2 (`-d tcp.port==P,http2`) and print `:method` / `:status` instead.
 * @param {string} file @param {string} dir @param {number|string} i @param {number|null} [h2Port]
 */
export async function runTshark(file, dir, i, h2Port = null) {
  const out = `${dir}/tshark.${i}.out`;
  const [proto, method, status] = h2Port ? ['http2', 'http2.headers.method', 'http2.headers.status'] : ['http', 'http.request.method', 'http.response.code'];
  const r = await runMeasured('tshark', ['-r', file, '-o', 'tcp.reassemble_out_of_order:TRUE', ...(h2Port ? ['-d', `tcp.port==${h2Port},http2`] : []),
    '-Y', proto, '-T', 'fields', '-e', method, '-e', status], { stdout: out, stderr: `${dir}/tshark.${i}.err` });
  return { ...r, ...(await countTsharkFields(out)) };
}

/** `pcap-sensor inventory --format json` on the capture; `exchanges` is the report's totals.exchanges. */
export async function runInventory(file, dir, i) {
  const out = `${dir}/inventory.${i}.json`;
  const r = await runMeasured(SENSOR, ['inventory', '--pcap', file, '--format', 'json', '--out', out],
    { stdout: `${dir}/inventory.${i}.log`, stderr: `${dir}/inventory.${i}.err` });
  let exchanges = null;
  try { exchanges = JSON.parse(readFileSync(out, 'utf8')).totals?.exchanges ?? null; } catch { /* no report: exit code tells */ }
  return { ...r, requests: exchanges, responses: null, exchanges };
}

const SENSOR_COMMON = ['--rate-limit', '0', '--stats-interval', '3600'];

/** The sensor in file mode writing exchanges to a local JSONL file. */
export async function runSensorFile(file, dir, i, extra = []) {
  const out = `${dir}/sensor-file.${i}.jsonl`;
  const io = { stdout: `${dir}/sensor-file.${i}.log`, stderr: `${dir}/sensor-file.${i}.err` };
  const r = await runMeasured(SENSOR, ['apidump', '--pcap', file, '--out', out, ...SENSOR_COMMON, ...extra], io);
  const stats = await sensorFinalStats([io.stdout, io.stderr]);
  const written = await countSensorJsonl(out);
  return { ...r, stats, requests: stats['http.requests'] ?? null, responses: written.responses,
    exchanges: stats['http.exchanges'] ?? null, linesWritten: written.lines,
    linesDropped: stats['export.jsonl.dropped.backpressure'] ?? 0 };
}

/** The sensor exporting to the embedded satellite (levo format, 1 s interval). */
export async function runSensorSatellite(file, dir, i, satellite) {
  const io = { stdout: `${dir}/sensor-sat.${i}.log`, stderr: `${dir}/sensor-sat.${i}.err` };
  const before = await countLines(satellite.out);
  const satCpu0 = processCpuSec(satellite.pid);
  const r = await runMeasured(SENSOR, ['apidump', '--pcap', file, '--satellite-url', satellite.url,
    '--export-format', 'levo', '--trace-export-interval', '1s', '--levoai-org-id', 'bench', ...SENSOR_COMMON], io);
  await new Promise((res) => setTimeout(res, 300)); // let the satellite flush its output stream
  const received = (await countLines(satellite.out)) - before;
  const satCpu1 = processCpuSec(satellite.pid);
  const satelliteCpuSec = satCpu0 === null || satCpu1 === null ? null : satCpu1 - satCpu0;
  const stats = await sensorFinalStats([io.stdout, io.stderr]);
  return { ...r, stats, requests: stats['http.requests'] ?? null, responses: null,
    exchanges: stats['http.exchanges'] ?? null, received, satelliteCpuSec,
    dropped: (stats['export.dropped.queue_full'] ?? 0) + (stats['export.dropped.outbox_full'] ?? 0) };
}

/** Starts `pcap-sensor satellite --port 0`; resolves with { url, out, pid, stop() }. */
export function startSatellite(dir) {
  const out = `${dir}/satellite.jsonl`;
  const child = spawn(SENSOR, ['satellite', '--port', '0', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log = createWriteStream(`${dir}/satellite.log`);
  return new Promise((resolve, reject) => {
    /** @type {string | null} */
    let buf = '';
    const timer = setTimeout(() => reject(new Error('satellite did not start in 15 s')), 15000);
    child.stderr.on('data', (d) => {
      log.write(d);
      if (buf === null) return;
      buf += d.toString();
      const m = /satellite listening on (http:\/\/[\d.]+:\d+)/.exec(buf);
      if (m) {
        buf = null;
        clearTimeout(timer);
        resolve({ url: m[1], out, pid: child.pid, stop: () => new Promise((res) => { child.once('exit', res); child.kill('SIGTERM'); }) });
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`satellite exited (${code})`)); });
  });
}
