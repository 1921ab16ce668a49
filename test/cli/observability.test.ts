// Self-observability: the health rules on a driven clock, the Prometheus text, the metrics server and
// `pcap-sensor health` (exit 0/1) against it, and the stats line's headline fields.
import t from 'tap';
import { HealthMonitor } from '../../src/observability/health-monitor.js';
import { formatPrometheus, metricName } from '../../src/observability/prometheus.js';
import { startMetricsServer } from '../../src/observability/metrics-server.js';
import { summarize } from '../../src/observability/stats-summary.js';
import { ProcessSampler } from '../../src/observability/process-sampler.js';
import { Counters } from '../../src/util/counters.js';
import { runSensor } from '../util/sensor-run.js';

t.test('capture stall: idle is healthy, undelivered kernel packets are not', async (t) => {
  let delivered = 0;
  let seen = 0;
  const m = new HealthMonitor({ delivered: () => delivered, kernelSeen: () => seen }, { captureStallMs: 10_000, exportFailureMs: 60_000, now: () => 0 });
  for (let now = 1000; now <= 120_000; now += 1000) m.tick(now);
  t.ok(m.status(120_000).healthy, 'two idle minutes: no packet, no stall');

  seen += 5; // the kernel got packets; the loop does not deliver them
  m.tick(121_000);
  for (let now = 122_000; now <= 131_000; now += 1000) m.tick(now);
  t.ok(m.status(131_000).healthy, 'pending for 10 s: not yet over the threshold');
  m.tick(132_000);
  const s = m.status(132_000);
  t.notOk(s.healthy, 'pending for 11 s: stalled');
  t.match(s.reasons.join(), /capture stalled/);

  delivered += 5;
  m.tick(133_000);
  t.ok(m.status(133_000).healthy, 'a delivery clears the stall');

  seen += 3;
  delivered += 3;
  m.tick(134_000);
  for (let now = 135_000; now <= 150_000; now += 1000) m.tick(now);
  t.ok(m.status(150_000).healthy, 'packets delivered in the same heartbeat they arrived: healthy');
});

t.test('export failing for longer than the threshold', async (t) => {
  let ok = 0;
  let failed = 0;
  const m = new HealthMonitor({ exportSucceeded: () => ok, exportFailed: () => failed }, { captureStallMs: 10_000, exportFailureMs: 30_000, now: () => 0 });
  m.tick(1000);
  ok += 10;
  m.tick(2000);
  failed += 1;
  m.tick(3000); // first failure
  for (let now = 4000; now <= 33_000; now += 1000) { if (now % 5000 === 0) failed += 1; m.tick(now); }
  t.ok(m.status(33_000).healthy, 'failing for 30 s: at the threshold, still healthy');
  m.tick(34_000);
  t.notOk(m.status(34_000).healthy, 'failing for 31 s: unhealthy');
  t.match(m.status(34_000).reasons.join(), /export failing/);
  ok += 1;
  m.tick(35_000);
  t.ok(m.status(35_000).healthy, 'one success: healthy again');
  for (let now = 36_000; now <= 200_000; now += 1000) m.tick(now);
  t.ok(m.status(200_000).healthy, 'no export attempt at all (no traffic): healthy');
});

t.test('heartbeat missed: a blocked event loop is unhealthy', async (t) => {
  let clock = 0;
  const m = new HealthMonitor({}, { captureStallMs: 5000, exportFailureMs: 5000, now: () => clock, tickMs: 60_000 });
  m.start();
  t.teardown(() => m.stop());
  clock = 4000;
  t.ok(m.status().healthy);
  clock = 6000;
  t.match(m.status().reasons.join(), /heartbeat missed/);
});

t.test('Prometheus text', async (t) => {
  t.equal(metricName('capture.if.veth-a.kernel_drops'), 'pcap_sensor_capture_if_veth_a_kernel_drops');
  const text = formatPrometheus({ 'export.exported': 12, 'process.cpu_percent': 1.5, 'a.b': NaN, a_b: 7 }, false);
  const samples = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  t.same(samples, ['pcap_sensor_up 1', 'pcap_sensor_healthy 0', 'pcap_sensor_export_exported 12',
    'pcap_sensor_process_cpu_percent 1.5', 'pcap_sensor_a_b NaN'], 'one sample per series; a clashing name is skipped');
  for (const l of text.split('\n').filter((x) => x.startsWith('# TYPE'))) t.match(l, /^# TYPE pcap_sensor_[a-zA-Z0-9_]+ untyped$/);
  t.ok(text.endsWith('\n'));
});

t.test('metrics server and the health command', async (t) => {
  let healthy = true;
  const counters = new Counters();
  counters.set('pipeline.packets', 42);
  const srv = await startMetricsServer({
    host: '127.0.0.1', port: 0, snapshot: () => counters.snapshot(),
    health: () => (healthy ? { healthy: true, reasons: [] } : { healthy: false, reasons: ['capture stalled: test'] }),
  });
  t.teardown(() => srv.close());

  const metrics = await fetch(`${srv.url}/metrics`);
  t.equal(metrics.status, 200);
  t.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  t.match(await metrics.text(), /^pcap_sensor_pipeline_packets 42$/m);
  t.equal((await fetch(`${srv.url}/healthz`)).status, 200);
  t.equal((await fetch(`${srv.url}/nothing`)).status, 404);

  let r = await runSensor(['health', '--port', String(srv.port)]);
  t.equal(r.code, 0, 'health: exit 0 when healthy');
  t.match(r.stdout, /^healthy \(HTTP 200\)/);
  // LEVO_METRICS_HOST blank counts as unset (the default host, 127.0.0.1); with spaces around, it is trimmed
  for (const host of ['  ', ' 127.0.0.1 ']) {
    r = await runSensor(['health', '--port', String(srv.port)], { env: { LEVO_METRICS_HOST: host } });
    t.same([r.code, r.stdout, r.stderr], [0, 'healthy (HTTP 200): ok\n', ''], `health with LEVO_METRICS_HOST=${JSON.stringify(host)}`);
  }

  healthy = false;
  const bad = await fetch(`${srv.url}/healthz`);
  t.equal(bad.status, 503);
  t.equal(await bad.text(), 'capture stalled: test\n', 'the reason is in the body');
  r = await runSensor(['health'], { env: { LEVO_METRICS_PORT: String(srv.port) } });
  t.equal(r.code, 1, 'health: exit 1 when unhealthy; port from LEVO_METRICS_PORT');
  t.match(r.stdout, /unhealthy \(HTTP 503\): capture stalled: test/);

  await srv.close();
  r = await runSensor(['health', '--port', String(srv.port), '--timeout-ms', '1000']);
  t.equal(r.code, 1, 'health: exit 1 when nothing listens');
  r = await runSensor(['health'], { env: { LEVO_METRICS_PORT: '' } });
  t.equal(r.code, 2, 'health without a port is a usage error');
});

t.test('process sampler and the stats summary', async (t) => {
  const c = new Counters();
  const s = new ProcessSampler(c);
  s.start();
  s.sample();
  const cpuBefore = c.get('process.cpu_seconds_total');
  await new Promise((r) => setTimeout(r, 50)); // the histogram's timer is running again after the sample's reset
  // Busy until this process has used 150 ms of CPU (not of wall time: a busy machine only makes the block
  // longer), so both the CPU used and the event loop's lag have a lower bound that load cannot undercut.
  const cpuStart = process.cpuUsage();
  const cpuMs = () => { const u = process.cpuUsage(cpuStart); return (u.user + u.system) / 1000; };
  while (cpuMs() < 150) { /* busy: CPU and event-loop lag to measure */ }
  await new Promise((r) => setTimeout(r, 40)); // the histogram's late timer records the block
  s.sample();
  s.stop();
  t.ok(c.get('process.rss_bytes') > 10 * 2 ** 20, 'rss in bytes');
  t.ok(c.get('process.heap_used_bytes') > 0 && c.get('process.heap_used_bytes') < c.get('process.rss_bytes'));
  t.ok(c.get('process.array_buffers_bytes') >= 0 && c.get('process.external_bytes') >= c.get('process.array_buffers_bytes'));
  const used = c.get('process.cpu_seconds_total') - cpuBefore;
  t.ok(used >= 0.14, `the busy loop's CPU is counted (${used.toFixed(2)} s)`);
  t.ok(c.get('process.cpu_percent') > 0, `and shows in cpu_percent (${c.get('process.cpu_percent')} %)`);
  t.ok(c.get('process.event_loop_lag_max_ms') >= 50, `a block of >= 150 ms shows as lag (${c.get('process.event_loop_lag_max_ms')} ms)`);

  const sum = summarize({
    'pipeline.packets': 10, 'decode.malformed.bad_ihl': 2, 'decode.unsupported_link.147': 1, 'policy.dropped.path_exclusion': 3,
    'policy.dropped.host_allow': 1, 'policy.rate_limited.global': 4, 'policy.rate_limited.endpoint': 1, 'export.dropped.queue_full': 2,
    'export.failed': 5, 'export.queue.depth': 7, 'reassembly.connections_created': 9, 'http.exchanges': 8,
  });
  t.match(sum, { packets: 10, decodeErrors: 3, filtered: 4, rateLimited: 5, exportDropped: 2, exportFailures: 5, queueDepth: 7, connections: 9, exchanges: 8 });
});
