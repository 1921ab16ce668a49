// Live capture (`apidump --interface lo`) as processes, against an HTTP application and satellites on
// 127.0.0.1: --trace-export-interval batches, the metrics server (--metrics-port/--metrics-host: /metrics with
// one name per counter and the total packet counter, /healthz), `health` against a running and a stopped
// sensor, --stats-interval, --out, bin/init; and SIGTERM against a satellite that never answers, both formats:
// the process ends by itself at the shutdown deadline (before Fargate's SIGKILL 30 s after SIGTERM), the
// request in flight aborted and its exchanges counted.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canCaptureLive, fetchText, freePort, RecordingSatellite, SilentSatellite, startApp } from './runtime-harness.js';
import { INIT_BIN, type Proc, run, STACK_LINE, startSensor } from '../util/sensor-run.js';

const dir = mkdtempSync(join(tmpdir(), 'runtime-live-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const skip = canCaptureLive ? false : 'live capture needs root (CAP_NET_RAW)';

/** Live capture of the application's port on lo; ready once the capture has started. */
async function liveSensor(appPort: number, args: string[], bin?: string): Promise<Proc> {
  const p = startSensor(['apidump', '--interface', 'lo', '--filter', `tcp port ${appPort}`, ...args], { ...(bin ? { bin } : {}), killAfterMs: 300_000 });
  await p.until((x) => x.log('capture started') !== undefined || x.child.exitCode !== null, 'capture started');
  return p;
}

/** The value of one sample in Prometheus text. */
function sample(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

t.test('a live sensor: interval batches, metrics, health, stats lines, --out', { skip }, async (t) => {
  const app = await startApp();
  const sat = await RecordingSatellite.start();
  const hourly = await RecordingSatellite.start();
  t.teardown(() => Promise.all([app.close(), sat.close(), hourly.close()]));
  const metricsPort = await freePort();
  const hourlyMetrics = await freePort();
  const out = join(dir, 'live.jsonl');
  const sensor = await liveSensor(app.port, ['--satellite-url', sat.url(), '--export-format', 'levo', '--levoai-org-id', 'org-live',
    '--levo-env', 'env-live', '--trace-export-interval', '200ms', '--stats-interval', '1', '--metrics-port', String(metricsPort),
    '--metrics-host', '127.0.0.1', '--health-capture-stall-seconds', '1', '--out', out], INIT_BIN);
  // the same traffic, exported only every hour: nothing leaves before the end
  const slow = await liveSensor(app.port, ['--satellite-url', hourly.url(), '--export-format', 'otlp', '--trace-export-interval', '1h',
    '--metrics-port', String(hourlyMetrics)]);
  t.teardown(() => { sensor.kill('SIGKILL'); slow.kill('SIGKILL'); });
  const metricsUrl = `http://127.0.0.1:${metricsPort}`;
  t.equal(sensor.log('capture started')!.metrics, metricsUrl, '--metrics-port and --metrics-host in effect');

  t.same(await fetchText(`${metricsUrl}/healthz`), { status: 200, text: 'ok\n' });
  const h = await run(['health', '--port', String(metricsPort)]);
  t.equal(h.code, 0, 'health: exit 0 against the running sensor');
  t.match(h.stdout, /^healthy \(HTTP 200\)/);

  t.equal(await app.get('/first'), 200);
  await sensor.until(() => sat.traces().length === 1, 'the first exchange at the satellite while the sensor runs');
  t.equal(await app.get('/second'), 200);
  await sensor.until(() => sat.traces().length === 2, 'the second exchange');
  t.equal(sat.posts.length, 2, '--trace-export-interval 200ms: one batch per exchange made between intervals');
  t.same(sat.traces().map((x) => x.request.headers[':path']), ['/first', '/second']);
  t.ok(sat.posts.every((p) => p.headers['x-levo-organization-id'] === 'org-live'), 'organization ID header');
  t.ok(sat.traces().every((x) => x.resource.levo_env === 'env-live'), 'environment in the resource');

  const hourlyText = async (): Promise<string> => (await fetchText(`http://127.0.0.1:${hourlyMetrics}/metrics`)).text;
  let text = '';
  for (let i = 0; i < 240; i++) { // scraped until it has seen both (2 minutes at most)
    text = await hourlyText();
    if (sample(text, 'pcap_sensor_http_exchanges') === 2) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  t.equal(sample(text, 'pcap_sensor_http_exchanges'), 2, 'the hourly sensor captured both');
  t.equal(hourly.posts.length, 0, '--trace-export-interval 1h: nothing sent yet');

  const metrics = await fetchText(`${metricsUrl}/metrics`);
  t.equal(metrics.status, 200);
  t.ok(sample(metrics.text, 'pcap_sensor_capture_packets')! > 0, 'live: total packets captured');
  t.ok(sample(metrics.text, 'pcap_sensor_pipeline_packets')! > 0);
  t.equal(sample(metrics.text, 'pcap_sensor_http_exchanges'), 2);
  t.equal(sample(metrics.text, 'pcap_sensor_export_exported'), 2);
  t.equal(sample(metrics.text, 'pcap_sensor_healthy'), 1);
  const names = metrics.text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(' ')[0]!);
  t.equal(new Set(names).size, names.length, 'one sample per name');
  t.ok(names.includes('pcap_sensor_reassembly_bytes_delivered'));
  t.same(names.filter((n) => /[A-Z]/.test(n)), [], 'no camelCase counter');

  await sensor.until((p) => p.logs().filter((l) => l.msg === 'stats').length >= 2, '--stats-interval 1: two stats lines');
  t.equal((await fetchText(`${metricsUrl}/healthz`)).status, 200, 'idle for longer than --health-capture-stall-seconds: still healthy');

  sensor.kill('SIGTERM');
  slow.kill('SIGTERM');
  const [exit, slowExit] = await Promise.all([sensor.exited, slow.exited]);
  t.equal(exit.code, 0, 'SIGTERM: exit 0');
  t.equal(slowExit.code, 0);
  t.equal(hourly.traces().length, 2, 'the hourly sensor sent both at shutdown');
  t.equal(hourly.posts.length, 1, 'in one batch');
  t.ok(sensor.log('final stats'), 'final stats');
  t.notMatch(sensor.stderr, STACK_LINE);
  t.equal(readFileSync(out, 'utf8').split('\n').filter(Boolean).length, 2, '--out has both exchanges');

  const gone = await run(['health', '--port', String(metricsPort), '--timeout-ms', '2000']);
  t.equal(gone.code, 1, 'health: exit 1 when the sensor is not running');
  t.match(gone.stdout, /^unhealthy: /);
});

t.test('SIGTERM against a satellite that never answers ends at the deadline, both formats', { skip }, async (t) => {
  const app = await startApp();
  const silent = { otlp: await SilentSatellite.start(), levo: await SilentSatellite.start() };
  t.teardown(() => Promise.all([app.close(), silent.otlp.close(), silent.levo.close()]));
  const sensors: Record<string, Proc> = {};
  for (const format of ['otlp', 'levo'] as const) {
    sensors[format] = await liveSensor(app.port, ['--satellite-url', `http://127.0.0.1:${silent[format].port}`,
      '--export-format', format, '--trace-export-interval', '100ms']);
  }
  t.teardown(() => { for (const s of Object.values(sensors)) s.kill('SIGKILL'); });
  t.equal(await app.get('/never-answered'), 200);
  for (const format of ['otlp', 'levo'] as const) {
    await sensors[format]!.until(() => silent[format].bytes > 0, `${format}: a request in flight`);
  }
  // Fargate sends SIGKILL 30 s after SIGTERM: the sensor must be gone by then on its own
  const started = Date.now();
  const results = await Promise.all((['otlp', 'levo'] as const).map(async (format) => {
    const s = sensors[format]!;
    s.kill('SIGTERM');
    const fargate = setTimeout(() => s.kill('SIGKILL'), 30_000);
    const exit = await s.exited;
    clearTimeout(fargate);
    return { format, exit, seconds: (Date.now() - started) / 1000, s };
  }));
  for (const { format, exit, seconds, s } of results) {
    t.comment(`${format}: exited ${seconds.toFixed(1)} s after SIGTERM`);
    t.equal(exit.signal, null, `${format}: ended by itself, not by the SIGKILL 30 s after SIGTERM`);
    t.equal(exit.code, 1, `${format}: exit 1, no export reached the satellite`);
    t.ok(s.log('export: shutdown deadline reached with exchanges undelivered'), `${format}: the deadline was reached`);
    const stats = s.log('final stats')!.stats;
    t.ok(stats['export.failed'] >= 1, `${format}: the undelivered exchanges are counted (${stats['export.failed']})`);
    t.ok(s.log(/^export failed: \d+ of \d+ exchanges did not reach the satellite/), `${format}: and reported`);
    t.notMatch(s.stderr, STACK_LINE);
  }
});
