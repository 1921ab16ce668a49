// A Fargate task in network namespaces (awsvpc: the containers of a task share one network namespace):
//   task      the application (node http on :8080) and the sensor, started through the documented entrypoint
//             `bin/init apidump --satellite-url ... --levo-env ... --levoai-org-id ...` with default capture
//             (every interface up with an address: lo and the task's two veths);
//   clients   curl, behind a veth to the task;
//   satellite the embedded satellite (`bin/pcap-sensor satellite --host <its address>`), behind another veth.
// Checks: every client request arrives at the satellite, tagged with the org and the environment; none of the
// sensor's own export traffic is captured; the container health check passes while running; SIGTERM stops
// the sensor within Fargate's 30 s with nothing lost.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, SENSOR_BIN, childEnv } from '../util/sensor-run.js';
import { APP_SERVER, NetnsLab, Output, canUseNetns } from '../cli/fixtures/netns-lab.js';

const FARGATE_STOP_TIMEOUT_MS = 30_000;

t.test('sensor as a sidecar of a Fargate-shaped task', { skip: canUseNetns ? false : 'needs root and iproute2', timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pcs-fargate-'));
  const lab = new NetnsLab();
  t.teardown(() => { lab.destroy(); rmSync(dir, { recursive: true, force: true }); });

  const task = lab.namespace('task');
  const clients = lab.namespace('cli');
  const satNs = lab.namespace('sat');
  const net = `10.${200 + (process.pid % 50)}.${Math.floor(Math.random() * 120)}`;
  const toClients = lab.link(task, clients, `${net}`);
  const toSatellite = lab.link(task, satNs, `10.${200 + (process.pid % 50)}.${130 + Math.floor(Math.random() * 120)}`);
  lab.route(clients, 'default', toClients.addrA);
  lab.route(satNs, 'default', toSatellite.addrA);

  const satOut = join(dir, 'satellite.jsonl');
  const satellite = new Output(lab.start(satNs, [SENSOR_BIN, 'satellite', '--host', toSatellite.addrB, '--port', '9999', '--out', satOut], childEnv()));
  const app = new Output(lab.start(task, [process.execPath, '-e', APP_SERVER, '0.0.0.0', '8080']));
  await satellite.waitFor(/satellite listening on/);
  await app.waitFor(/listening/);

  const satelliteUrl = `http://${toSatellite.addrB}:9999`;
  // the container's environment; the health check runs in the same container, so it sees it too
  const containerEnv = childEnv({ LEVO_METRICS_PORT: '9464', LEVO_LOG_LEVEL: 'info' });
  const sensorChild = lab.start(task, [join(REPO_ROOT, 'bin', 'init'), 'apidump',
    '--satellite-url', satelliteUrl, '--levo-env', 'production', '--levoai-org-id', 'org-fargate-e2e',
    '--trace-export-interval', '1', '--rate-limit', '1000'],
  containerEnv);
  const sensor = new Output(sensorChild);
  await sensor.waitFor(/"msg":"capture started"/);
  const started = JSON.parse(sensor.text.split('\n').find((l) => l.includes('"msg":"capture started"'))!);
  t.same([...started.capture].sort(), ['lo', toClients.ifA, toSatellite.ifA].sort(), 'every interface of the task is captured');
  t.equal(started.satellite, `${satelliteUrl}/`);
  t.equal(started.orgId, 'org-*********2e', 'the org id is masked in the logs');

  // the clients' traffic: keep-alive GETs, a POST with a body, separate connections
  const base = `http://${toClients.addrA}:8080`;
  const sent: string[] = [];
  const keepAlive = Array.from({ length: 5 }, (_, i) => `${base}/ka/${i}`);
  const r1 = lab.run(clients, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}\\n', ...keepAlive.flatMap((u) => [u, '-o', '/dev/null']).slice(0, -2)]);
  t.equal(r1.stdout.trim().split('\n').filter((c) => c === '200').length, 5, 'keep-alive requests answered');
  sent.push(...keepAlive.map((u) => `GET ${new URL(u).pathname}`));
  for (let i = 0; i < 8; i++) {
    const r = lab.run(clients, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `${base}/single/${i}`]);
    t.equal(r.stdout, '200');
    sent.push(`GET /single/${i}`);
  }
  const post = lab.run(clients, ['sh', '-c', `head -c 40000 /dev/zero | curl -s -o /dev/null -w '%{http_code}' --data-binary @- ${base}/upload`]);
  t.equal(post.stdout, '200');
  sent.push('POST /upload');

  const health = lab.run(task, [SENSOR_BIN, 'health'], 10_000, containerEnv);
  t.equal(health.status, 0, `container health check passes: ${health.stdout}${health.stderr}`);

  // Fargate stops the task: SIGTERM, then SIGKILL after 30 s. The same here: a sensor still running at the
  // SIGKILL exits by that signal, not with code 0.
  sensorChild.kill('SIGTERM');
  const fargateKill = setTimeout(() => sensorChild.kill('SIGKILL'), FARGATE_STOP_TIMEOUT_MS);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (sensorChild.exitCode !== null || sensorChild.signalCode !== null) resolve({ code: sensorChild.exitCode, signal: sensorChild.signalCode });
    else sensorChild.once('exit', (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(fargateKill);
  t.same(exit, { code: 0, signal: null }, 'clean exit on SIGTERM, before Fargate\'s SIGKILL');

  const final = JSON.parse(sensor.text.split('\n').find((l) => l.includes('"msg":"final stats"'))!);
  t.equal(final.summary.exported, sent.length, 'the satellite acknowledged every exchange');
  t.equal(final.summary.exportFailures + final.summary.exportDropped + final.summary.kernelDrops, 0, 'nothing failed or dropped');

  await satellite.waitFor(/otlp \d+ spans/);
  const spans = readFileSync(satOut, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const received = spans.map((s) => `${s.span.attributes['http.request.method']} ${s.span.attributes['url.path']}`);
  t.same([...received].sort(), [...sent].sort(), 'every client request arrived, once; the export POSTs to the satellite are absent');
  t.ok(spans.every((s) => s.org_id === 'org-fargate-e2e' && s.resource['levo.env'] === 'production'), 'tagged with org and environment');
  t.ok(spans.every((s) => s.span.attributes['server.port'] === 8080 && s.span.attributes['network.local.address'] === toClients.addrA),
    'all of them server-side on the task\'s address');
});
